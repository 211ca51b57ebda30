// `daxlayout/layoutTree`: hosts → regions → devices with the change the plan makes to each and
// their kernel names, for the editor's tree view (client/src/tree-view.ts). From the last
// finished analysis, like the region map (map.ts); sizes as text.

import type { Range } from 'vscode-languageserver/node';
import { formatBytes, layoutTree, type Analysis } from '../core/index';
import type { Span } from './convert';
import { range } from './map';
import type { LayoutTreeParams, LayoutTreeResult, TreeHostInfo } from './protocol';
import type { Session, View } from './session';

function tree(v: View, a: Analysis): TreeHostInfo[] {
  const withRange = <T extends object>(o: T, span: Span | undefined): T & { range?: Range } => {
    const r = range(v, span);
    return r ? { ...o, range: r } : o;
  };
  return layoutTree(a).map((h) =>
    withRange(
      {
        name: h.name,
        target: h.target,
        ...(h.kernel ? { kernel: h.kernel } : {}),
        ...(h.error ? { error: h.error } : {}),
        regions: h.regions.map((r) =>
          withRange(
            {
              id: r.id,
              detail: r.detail,
              devices: r.devices.map((d) =>
                withRange(
                  {
                    ...(d.label ? { label: d.label } : {}),
                    ...(d.kernelName ? { kernelName: d.kernelName } : {}),
                    change: d.change,
                    detail: d.detail,
                    ...(d.size !== undefined ? { size: formatBytes(d.size) } : {}),
                    ...(d.mode ? { mode: d.mode } : {}),
                  },
                  d.declaration,
                ),
              ),
            },
            r.declaration,
          ),
        ),
      },
      h.declaration,
    ),
  );
}

export async function layoutTreeRequest(session: Session, params: LayoutTreeParams): Promise<LayoutTreeResult | null> {
  const v = await session.view(params.textDocument.uri, 'settled');
  if (!v) return null;
  return { uri: v.doc.uri, version: v.doc.version, current: v.current, hosts: tree(v, v.analysis) };
}
