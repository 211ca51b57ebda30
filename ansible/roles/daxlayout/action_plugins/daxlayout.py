# The `daxlayout` task of the daxlayout role: capture -> plan -> apply -> verify for one host,
# through Ansible's own connection, with nothing but sh and sysfs on the target (no Python there).
#
# Capture and apply are POSIX sh programs fed to `sh -s` on the target's stdin through the
# connection (the same mechanism as the raw module, with the program as input: no sftp, no scp,
# no command-length limit). Planning and verification run on the controller with the daxlayout
# CLI: `daxlayout plan LAYOUT --for HOST --groups ... --capture DUMP --emit-program --json` and
# `daxlayout verify --prediction F --capture DUMP --apply-output OUT --json`.
#
# Semantics: changed only when writes ran on the host; in check mode the plan is made and
# reported (changed = it would change) and nothing runs on the target but the read-only
# capture; with --diff the plan is the diff; a plan with errors fails the host with daxlayout's
# diagnostics (serial and max_fail_percentage then apply as for any failed task).
from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('layout', 'cli', 'inventory', 'prune', 'lock_timeout', 'capture_dir'))

    def _cli(self, args, cli):
        p = subprocess.run(cli + args, capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    def _run_program(self, program):
        # sh -s with the program on stdin: one round trip, no tty, no file on the target
        r = self._low_level_execute_command('sh -s', in_data=program.encode('utf-8'), sudoable=True)
        return r.get('rc', 1), r.get('stdout', ''), r.get('stderr', '')

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        a = self._task.args
        layout = a.get('layout')
        if not layout:
            raise AnsibleActionFail('daxlayout: `layout` (the .dax file on the controller) is required')
        cli = a.get('cli') or 'daxlayout'
        cli = shlex.split(cli) if isinstance(cli, str) else list(cli)
        host = task_vars.get('inventory_hostname')
        groups = task_vars.get('group_names', [])
        check = bool(self._task.check_mode)
        diff = bool(self._task.diff)
        work = tempfile.mkdtemp(prefix='daxlayout-ansible-')
        cap1 = os.path.join(work, 'capture.txt')
        pred = os.path.join(work, 'prediction.json')
        out1 = os.path.join(work, 'apply-output.txt')
        cap2 = os.path.join(work, 'capture-after.txt')
        result.update(changed=False)
        try:
            # 1. capture (read-only; also in check mode)
            rc, program, err = self._cli(['facts', '--program'], cli)
            if rc != 0:
                raise AnsibleActionFail('daxlayout facts --program failed: %s' % err.strip())
            rc, out, err = self._run_program(program)
            if rc != 0 or '### daxlayout state end' not in out:
                result.update(failed=True, msg='daxlayout: the capture on %s did not complete (exit %s): %s' % (host, rc, (err or out).strip()[-600:]))
                return result
            with open(cap1, 'w') as f:
                f.write(out)
            if a.get('capture_dir'):
                with open(os.path.join(a['capture_dir'], '%s.capture.txt' % host), 'w') as f:
                    f.write(out)
            # 2. plan on the controller
            args = ['plan', layout, '--for', host, '--groups', ','.join(groups), '--capture', cap1, '--json', '--prediction', pred]
            if not check:
                args.append('--emit-program')
            if a.get('inventory'):
                args += ['-i', a['inventory']]
            if a.get('prune'):
                args.append('--prune')
            if a.get('lock_timeout') is not None:
                args += ['--lock-timeout', str(int(a['lock_timeout']))]
            rc, out, err = self._cli(args, cli)
            try:
                plan = json.loads(out)
            except ValueError:
                result.update(failed=True, msg='daxlayout plan failed (exit %s): %s' % (rc, (err or out).strip()))
                return result
            plan_text = plan.get('planText') or ''
            result.update(plan=plan_text, plan_summary=plan.get('summaryLine'), fingerprint=plan.get('fingerprint'), layout_host=plan.get('layoutHost'), diagnostics=plan.get('diagnostics', []))
            if plan.get('failed'):
                result.update(failed=True, msg=plan.get('message') or 'daxlayout: the plan has errors')
                return result
            if diff:
                result['diff'] = {'prepared': plan_text if plan.get('changed') else ''}
            if not plan.get('changed'):
                result.update(changed=False, writes_run=0, msg='%s: no changes; the host matches the layout' % host)
                return result
            if check:
                # check mode: report what would change, write nothing
                result.update(changed=True, writes_run=0, msg='%s: would apply: %s' % (host, plan.get('summaryLine')))
                return result
            # 3. apply: the program runs under the host's lock and re-checks the host's state first
            rc, out, err = self._run_program(plan['program'])
            with open(out1, 'w') as f:
                f.write(out)
            # 4. verify: capture again, compare with the prediction
            rc2, out2, err2 = self._run_program(program)
            with open(cap2, 'w') as f:
                f.write(out2 if rc2 == 0 else '')
            rc, vout, verr = self._cli(['verify', '--prediction', pred, '--capture', cap2, '--apply-output', out1, '--json'], cli)
            try:
                v = json.loads(vout)
            except ValueError:
                result.update(failed=True, msg='daxlayout verify failed (exit %s): %s' % (rc, (verr or vout).strip()))
                return result
            result.update(changed=bool(v.get('changed')), writes_run=v.get('writesRun', 0), result=v.get('result'), differences=v.get('differences', []), msg='%s: %s' % (host, v.get('message')))
            if v.get('exitCode') != 0:
                result['failed'] = True
            return result
        finally:
            for p in (cap1, pred, out1, cap2):
                try:
                    os.unlink(p)
                except OSError:
                    pass
            try:
                os.rmdir(work)
            except OSError:
                pass
