// An independent reader of flowrec's Arrow exports: apache-arrow for JS, nothing of flowrec's.
//
//   node read-arrow.mjs FILE     an Arrow IPC file (or stream) on disk
//   node read-arrow.mjs -        an Arrow IPC stream on stdin (`flowrec export --out -`)
//
// Prints one fact a line, space-separated, for a test to compare with `flowrec query`:
//   format file|stream
//   field NAME TYPE nullable|notnull      TYPE as apache-arrow names it: Timestamp<NANOSECOND, UTC>,
//                                         Dictionary<Int32, Utf8>, Int32, Int64, Utf8 ...
//   meta KEY VALUE                        schema metadata, VALUE JSON-quoted (one line)
//   batches N
//   rows N
//   nulls COLUMN N                        only for columns with nulls
//   bad_times N                           rows with last_seen < first_seen
//   time_range MIN_FIRST_SEEN_NS MAX_LAST_SEEN_NS
//   proto PROTO ROWS FLOWS PACKETS BYTES  per proto: rows, distinct flows (iface, container, direction,
//                                         addresses, ports), sums (int64 summed as BigInt: exact)
//   host HOST ROWS FLOWS PACKETS BYTES
//   host_proto HOST PROTO ROWS FLOWS PACKETS BYTES
// Exits 2 with a message on stderr when the input is not Arrow IPC or lacks a column it needs.
import { readFileSync } from 'node:fs';
import { RecordBatchReader } from 'apache-arrow';

const path = process.argv[2];
if (!path) {
    console.error('usage: node read-arrow.mjs FILE|-');
    process.exit(2);
}

const reader = path === '-'
    ? await RecordBatchReader.from(process.stdin)
    : RecordBatchReader.from(readFileSync(path));
await reader.open();
if (!reader.schema) {
    console.error(`read-arrow: not Arrow IPC (no schema): ${path}`);
    process.exit(2);
}

const out = [];
out.push(`format ${reader.isFile() ? 'file' : 'stream'}`);
const schema = reader.schema;
for (const f of schema.fields) {
    out.push(`field ${f.name} ${String(f.type)} ${f.nullable ? 'nullable' : 'notnull'}`);
}
for (const [k, v] of [...schema.metadata.entries()].sort()) {
    out.push(`meta ${k} ${JSON.stringify(v)}`);
}

for (const need of ['first_seen', 'last_seen', 'packets', 'bytes', 'proto']) {
    if (!schema.fields.some(f => f.name === need)) {
        console.error(`read-arrow: no column ${need} in ${schema.fields.map(f => f.name).join(',')}`);
        process.exit(2);
    }
}
const hasHost = schema.fields.some(f => f.name === 'host');

// Raw int64 of a Timestamp (or Int64) column: apache-arrow's get() turns timestamps into milliseconds.
const rawInt64 = (vector, i) => {
    let row = i;
    for (const data of vector.data) {
        if (row < data.length) {
            return data.getValid(row) ? data.values[data.offset + row] : null;
        }
        row -= data.length;
    }
    throw new RangeError(`row ${i}`);
};

const add = (map, key, flow, packets, bytes) => {
    const s = map.get(key) ?? { rows: 0, flows: new Set(), packets: 0n, bytes: 0n };
    s.rows++;
    s.flows.add(flow);
    s.packets += packets;
    s.bytes += bytes;
    map.set(key, s);
};

let batches = 0;
let rows = 0;
let badTimes = 0;
let minFirst = null;
let maxLast = null;
const nulls = new Map();
const byProto = new Map();
const byHost = new Map();
const byHostProto = new Map();
for await (const batch of reader) {
    batches++;
    for (const f of schema.fields) {
        const n = batch.getChild(f.name).nullCount;
        if (n > 0) nulls.set(f.name, (nulls.get(f.name) ?? 0) + n);
    }
    const first = batch.getChild('first_seen');
    const last = batch.getChild('last_seen');
    const packets = batch.getChild('packets');
    const bytes = batch.getChild('bytes');
    const proto = batch.getChild('proto');
    const host = hasHost ? batch.getChild('host') : null;
    const key = ['iface', 'container', 'direction', 'src_addr', 'src_port', 'dst_addr', 'dst_port']
        .map(name => batch.getChild(name));
    for (let i = 0; i < batch.numRows; i++) {
        const f = rawInt64(first, i);
        const l = rawInt64(last, i);
        if (f !== null && l !== null && l < f) badTimes++;
        if (f !== null && (minFirst === null || f < minFirst)) minFirst = f;
        if (l !== null && (maxLast === null || l > maxLast)) maxLast = l;
        const p = BigInt(packets.get(i) ?? 0n);
        const b = BigInt(bytes.get(i) ?? 0n);
        const pr = String(proto.get(i));
        const h = host ? String(host.get(i)) : '-';
        const flow = key.map(v => (v ? String(v.get(i)) : '')).join('|');
        add(byProto, pr, flow, p, b);
        add(byHost, h, `${h}|${flow}`, p, b);
        add(byHostProto, `${h} ${pr}`, flow, p, b);
    }
    rows += batch.numRows;
}

out.push(`batches ${batches}`);
out.push(`rows ${rows}`);
for (const [k, n] of [...nulls.entries()].sort()) out.push(`nulls ${k} ${n}`);
out.push(`bad_times ${badTimes}`);
out.push(`time_range ${minFirst ?? '-'} ${maxLast ?? '-'}`);
const emit = (tag, map) => {
    for (const [k, s] of [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        out.push(`${tag} ${k} ${s.rows} ${s.flows.size} ${s.packets} ${s.bytes}`);
    }
};
emit('proto', byProto);
emit('host', byHost);
emit('host_proto', byHostProto);
process.stdout.write(out.join('\n') + '\n');
