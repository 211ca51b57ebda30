// Offsets → 1-based line and column, for terminal output. A leading byte-order mark is not a
// column (editors do not show it): offsets count it, columns of the first line do not.
export class LineIndex {
  private readonly starts: number[] = [0];
  private readonly bom: boolean;

  constructor(text: string) {
    this.bom = text.charCodeAt(0) === 0xfeff;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    const column = offset - (this.starts[lo] as number) + 1;
    return { line: lo + 1, column: lo === 0 && this.bom && offset > 0 ? column - 1 : column };
  }
}
