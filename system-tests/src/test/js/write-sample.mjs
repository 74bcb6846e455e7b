// Writes a small Arrow IPC file or stream in the shape of `flowrec export`'s contract, with apache-arrow
// alone: a check of read-arrow.mjs that needs no exporter.
//
//   node write-sample.mjs file|stream OUT
// Rows: tcp 2 rows (packets 3+4, bytes 300+400), udp 1 row (packets 5, bytes 500), hosts a and b.
import { writeFileSync } from 'node:fs';
import {
    Dictionary, Field, Int32, Int64, RecordBatch, RecordBatchFileWriter, RecordBatchStreamWriter,
    Schema, Struct, TimeUnit, Timestamp, Utf8, makeData, makeVector, vectorFromArray,
} from 'apache-arrow';

const [kind, out] = process.argv.slice(2);
const T = 1767225600000000000n; // 2026-01-01T00:00:00Z
const dict = () => new Dictionary(new Utf8(), new Int32());
const ts = () => new Timestamp(TimeUnit.NANOSECOND, 'UTC');
const columns = [
    ['first_seen', ts(), [T, T + 1n, T + 2n]],
    ['last_seen', ts(), [T + 10n, T + 11n, T + 12n]],
    ['host', dict(), ['a', 'a', 'b']],
    ['iface', dict(), ['eth0', 'eth0', 'eth0']],
    ['container', dict(), ['', '', 'c0ffee']],
    ['direction', dict(), ['in', 'out', 'in']],
    ['proto', dict(), ['tcp', 'tcp', 'udp']],
    ['src_addr', new Utf8(), ['10.0.0.1', '10.0.0.2', '10.0.0.1']],
    ['dst_addr', new Utf8(), ['10.0.0.2', '10.0.0.1', '10.0.0.3']],
    ['src_port', new Int32(), [1000, 80, 5353]],
    ['dst_port', new Int32(), [80, 1000, 53]],
    ['packets', new Int64(), [3n, 4n, 5n]],
    ['bytes', new Int64(), [300n, 400n, 500n]],
    ['tcp_flags', new Utf8(), ['S', 'A', '']],
];
// The Timestamp builder takes milliseconds: nanoseconds go in as raw int64 data.
const vectors = columns.map(([, type, values]) => (type instanceof Timestamp
    ? makeVector(makeData({ type, length: values.length, nullCount: 0, data: BigInt64Array.from(values) }))
    : vectorFromArray(values, type)));
const fields = columns.map(([name], i) => new Field(name, vectors[i].type, false));
const schema = new Schema(fields, new Map([['flowrec.version', 'sample'], ['flowrec.hosts', 'a,b']]));
const data = makeData({
    type: new Struct(fields), length: 3, nullCount: 0, children: vectors.map(v => v.data[0]),
});
const batch = new RecordBatch(schema, data);
const writer = kind === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
writer.write(batch);
writer.finish();
writeFileSync(out, writer.toUint8Array(true));
