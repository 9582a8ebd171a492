import { CSV_COLUMNS, createCsvStringifier, prefersCsv, sanitizeCsvCell, toCsvRecord } from './registrations-csv';

describe('sanitizeCsvCell', () => {
  it.each(['=SUM(A1:A9)', '+1', '-2+3', '@cmd', '\tx', '\rx', '=', '=HYPERLINK("http://evil","x")'])('defuses %p', (cell) => {
    expect(sanitizeCsvCell(cell)).toBe(`'${cell}`);
  });

  it.each(['Ada Lovelace', 'a=b', 'x+y@example.com', '', ' =not-first', "'quoted", '1-2', 'Zoë'])('leaves %p alone', (cell) => {
    expect(sanitizeCsvCell(cell)).toBe(cell);
  });
});

describe('toCsvRecord', () => {
  it('follows CSV_COLUMNS and sanitizes the free-text cells', () => {
    const record = toCsvRecord({
      id: '00000000-0000-4000-8000-000000000001',
      sessionId: '00000000-0000-4000-8000-000000000002',
      status: 'waitlisted',
      waitlistPosition: 3,
      name: '=1+1',
      email: '-x@example.com',
      checkedInAt: null,
      promotedAt: null,
      createdAt: '2027-08-01T00:00:00.000Z',
      cancelledAt: null,
    });
    expect(record).toHaveLength(CSV_COLUMNS.length);
    expect(record).toEqual([
      '00000000-0000-4000-8000-000000000001',
      "'=1+1",
      "'-x@example.com",
      'waitlisted',
      3,
      '2027-08-01T00:00:00.000Z',
      null,
    ]);
  });
});

describe('prefersCsv', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', false],
    ['text/csv', true],
    ['TEXT/CSV; charset=utf-8', true],
    ['text/csv, application/json', true],
    ['application/json, text/csv', false],
    ['application/json;q=0.5, text/csv', true],
    ['text/csv;q=0.4, application/json;q=0.9', false],
    ['text/csv;q=0', false],
    ['text/csv;q=abc', false],
    ['text/html, text/csv;q=0.8, */*;q=0.1', true],
  ])('Accept %p → %p', (accept, expected) => {
    expect(prefersCsv(accept)).toBe(expected);
  });
});

describe('createCsvStringifier', () => {
  async function render(records: (string | number | null)[][]): Promise<string> {
    const csv = createCsvStringifier();
    const chunks: Buffer[] = [];
    csv.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    const done = new Promise((resolve, reject) => csv.on('end', resolve).on('error', reject));
    records.forEach((r) => csv.write(r));
    csv.end();
    await done;
    return Buffer.concat(chunks).toString('utf8');
  }

  it('writes the header, then CRLF-terminated records; empty cells for null', async () => {
    expect(await render([['a', 'Ada', 'ada@example.com', 'confirmed', null, 't1', null]])).toBe(
      'id,name,email,status,waitlistPosition,createdAt,checkedInAt\r\na,Ada,ada@example.com,confirmed,,t1,\r\n',
    );
  });

  it('quotes commas, quotes (doubled), CRLF, and a lone CR or LF', async () => {
    const out = await render([['x', 'Doe, "JD"', 'a\nb', 'c\rd', 'e\r\nf', 'plain', 1]]);
    expect(out.slice(out.indexOf('\r\n') + 2)).toBe('x,"Doe, ""JD""","a\nb","c\rd","e\r\nf",plain,1\r\n');
  });
});
