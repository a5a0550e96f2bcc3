#!/usr/bin/env node
// The ONNX Runtime oracle: runs an ONNX model on ONNX Runtime's CPU engine (onnxruntime-node) at a
// fixed input shape and reports what ORT computed, so that AegisRT's tests compare against ORT
// rather than against AegisRT's own code.
//
//   node oracle.js shapes MODEL.onnx [--input NAME=D0,D1,...]... [--all]
//       Runs the model once on deterministic pseudo-random inputs and prints JSON:
//       {"model", "inputs":[{name,dtype,shape}], "outputs":[{name,dtype,shape}],
//        "values":[{name,dtype,shape}]}. With --all, every node output of the graph is exposed as an
//       extra graph output first (graph optimisations off), so "values" holds the shape ORT gives
//       every intermediate tensor.
//   node oracle.js run MODEL.onnx [--input NAME=FILE.npy | --input NAME=D0,D1,...]... [--seed N]
//       [--output-dir DIR] [--repeat N] [--threads T]
//       Runs the model (inputs from .npy files, or pseudo-random of the given shape), writes each
//       output as DIR/<sanitised name>.npy and prints JSON with the outputs and latency_ns
//       {min, p50, p99, max} over --repeat runs (after one warm-up run).
//
// Install: scripts/setup.d/ort-oracle.sh (npm install --ignore-scripts onnxruntime-node@1.30.0).
// Exit codes: 0 ok, 1 ORT failed, 2 bad usage.
'use strict';

const fs = require('fs');
const path = require('path');

let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  process.stderr.write('oracle: onnxruntime-node is not installed (run scripts/setup)\n');
  process.exit(1);
}

// ---- A minimal protobuf reader/writer: just enough of onnx.proto to list inputs and node outputs.

function readVarint(buf, pos) {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) break;
    scale *= 128;
  }
  return [value, pos];
}

// Calls visit(field, wireType, payload) for each field of a message; payload is a Buffer for
// length-delimited fields and a number for varints.
function forEachField(buf, visit) {
  let pos = 0;
  while (pos < buf.length) {
    let tag;
    [tag, pos] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      let v;
      [v, pos] = readVarint(buf, pos);
      visit(field, wire, v);
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else if (wire === 2) {
      let len;
      [len, pos] = readVarint(buf, pos);
      visit(field, wire, buf.subarray(pos, pos + len));
      pos += len;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

function writeVarint(value) {
  const out = [];
  while (value >= 128) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return Buffer.from(out);
}

function lengthDelimited(field, payload) {
  return Buffer.concat([writeVarint(field * 8 + 2), writeVarint(payload.length), payload]);
}

const kElemTypes = {1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64'};

function parseValueInfo(buf) {
  const info = {name: '', elemType: 0, dims: []};
  forEachField(buf, (f, w, v) => {
    if (f === 1 && w === 2) info.name = v.toString('utf8');
    if (f === 2 && w === 2) {  // TypeProto
      forEachField(v, (tf, tw, tv) => {
        if (tf !== 1 || tw !== 2) return;  // tensor_type
        forEachField(tv, (sf, sw, sv) => {
          if (sf === 1 && sw === 0) info.elemType = sv;
          if (sf === 2 && sw === 2) {  // TensorShapeProto
            forEachField(sv, (df, dw, dv) => {
              if (df !== 1 || dw !== 2) return;
              let dim = null;
              forEachField(dv, (xf, xw, xv) => {
                if (xf === 1 && xw === 0) dim = xv;
                if (xf === 2 && xw === 2) dim = xv.toString('utf8');
              });
              info.dims.push(dim);
            });
          }
        });
      });
    }
  });
  return info;
}

// Returns {inputs: [ValueInfo], outputs: [names], nodeOutputs: [names]} of the main graph.
function parseModel(bytes) {
  const model = {inputs: [], outputs: [], nodeOutputs: []};
  forEachField(bytes, (f, w, graph) => {
    if (f !== 7 || w !== 2) return;
    forEachField(graph, (gf, gw, gv) => {
      if (gw !== 2) return;
      if (gf === 1) {  // NodeProto
        forEachField(gv, (nf, nw, nv) => {
          if (nf === 2 && nw === 2 && nv.length > 0) model.nodeOutputs.push(nv.toString('utf8'));
        });
      } else if (gf === 11) {
        model.inputs.push(parseValueInfo(gv));
      } else if (gf === 12) {
        model.outputs.push(parseValueInfo(gv).name);
      }
    });
  });
  return model;
}

// Protobuf merges a repeated occurrence of a singular message field into the first, so appending
// a second `graph` field that holds only extra `output` entries adds graph outputs.
function exposeAllNodeOutputs(bytes, model) {
  const existing = new Set(model.outputs);
  const extra = [];
  for (const name of model.nodeOutputs) {
    if (existing.has(name)) continue;
    existing.add(name);
    extra.push(lengthDelimited(12, lengthDelimited(1, Buffer.from(name, 'utf8'))));
  }
  return Buffer.concat([bytes, lengthDelimited(7, Buffer.concat(extra))]);
}

// ---- .npy files (format version 1.0, little-endian, C order).

const kNpyDescr = {float32: '<f4', float64: '<f8', int32: '<i4', int64: '<i8', uint8: '|u1', int8: '|i1', bool: '|b1'};
const kArrayType = {float32: Float32Array, float64: Float64Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, int8: Int8Array, bool: Uint8Array};

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.subarray(0, 6).toString('latin1') !== '\x93NUMPY') throw new Error(`${file}: not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.subarray(major === 1 ? 10 : 12, start).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${file}: Fortran order unsupported`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const dtype = Object.keys(kNpyDescr).find((k) => kNpyDescr[k] === descr);
  if (!dtype) throw new Error(`${file}: dtype ${descr} unsupported`);
  const T = kArrayType[dtype];
  const data = new T(buf.buffer.slice(buf.byteOffset + start, buf.byteOffset + buf.length));
  return {dtype, shape, data};
}

function writeNpy(file, dtype, shape, data) {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${kNpyDescr[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

// ---- Inputs.

// xorshift32: deterministic values in [0, 1).
function makeRandom(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function randomTensor(dtype, shape, rand) {
  const n = shape.reduce((a, b) => a * b, 1);
  const T = kArrayType[dtype];
  const data = new T(n);
  for (let i = 0; i < n; ++i) {
    const r = rand();
    data[i] = dtype === 'int64' ? BigInt(Math.floor(r * 10)) : (dtype.startsWith('float') ? r : Math.floor(r * 10));
  }
  return new ort.Tensor(dtype, data, shape);
}

function parseArgs(argv) {
  const args = {command: argv[0], model: argv[1], inputs: {}, all: false, seed: 1, repeat: 1, threads: 1, outputDir: null};
  for (let i = 2; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--input') {
      const spec = next();
      const eq = spec.lastIndexOf('=');
      if (eq <= 0) usage(`--input wants NAME=D0,D1,... or NAME=FILE.npy, got '${spec}'`);
      args.inputs[spec.slice(0, eq)] = spec.slice(eq + 1);
    } else if (a === '--all') args.all = true;
    else if (a === '--seed') args.seed = Number(next());
    else if (a === '--repeat') args.repeat = Math.max(1, Number(next()));
    else if (a === '--threads') args.threads = Math.max(1, Number(next()));
    else if (a === '--output-dir') args.outputDir = next();
    else usage(`unknown argument '${a}'`);
  }
  if (!['shapes', 'run'].includes(args.command) || !args.model) usage('need a command and a model');
  return args;
}

function usage(message) {
  process.stderr.write(`oracle: ${message}\nusage: node oracle.js shapes|run MODEL.onnx [--input NAME=D0,D1,...|NAME=FILE.npy]... [--all] [--seed N] [--repeat N] [--threads T] [--output-dir DIR]\n`);
  process.exit(2);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let bytes = fs.readFileSync(args.model);
  const model = parseModel(bytes);
  if (args.all) bytes = exposeAllNodeOutputs(bytes, model);

  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: args.all ? 'disabled' : 'all',
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
  });

  const rand = makeRandom(args.seed);
  const feeds = {};
  const inputReport = [];
  for (const name of session.inputNames) {
    const info = model.inputs.find((v) => v.name === name) || {elemType: 1, dims: []};
    const dtype = kElemTypes[info.elemType] || 'float32';
    const spec = args.inputs[name];
    let tensor;
    if (spec !== undefined && spec.endsWith('.npy')) {
      const npy = readNpy(spec);
      tensor = new ort.Tensor(npy.dtype, npy.data, npy.shape);
    } else {
      let shape;
      if (spec !== undefined) {
        shape = spec.split(',').map(Number);
      } else {
        if (info.dims.some((d) => typeof d !== 'number' || d <= 0)) {
          usage(`input '${name}' has dynamic dimensions [${info.dims.join(', ')}]: give --input ${name}=D0,D1,...`);
        }
        shape = info.dims;
      }
      tensor = randomTensor(dtype, shape, rand);
    }
    feeds[name] = tensor;
    inputReport.push({name, dtype: tensor.type, shape: Array.from(tensor.dims)});
  }

  let results;
  const times = [];
  const runs = args.command === 'run' ? args.repeat + 1 : 1;
  for (let r = 0; r < runs; ++r) {
    const t0 = process.hrtime.bigint();
    results = await session.run(feeds);
    const t1 = process.hrtime.bigint();
    if (args.command !== 'run' || r > 0 || runs === 1) times.push(Number(t1 - t0));
  }

  const describe = (name) => ({name, dtype: results[name].type, shape: Array.from(results[name].dims)});
  const report = {model: path.basename(args.model), inputs: inputReport};
  report.outputs = model.outputs.filter((n) => n in results).map(describe);
  if (args.command === 'shapes') {
    report.values = session.outputNames.filter((n) => n in results).map(describe);
  } else {
    if (args.outputDir) {
      fs.mkdirSync(args.outputDir, {recursive: true});
      for (const out of report.outputs) {
        out.file = path.join(args.outputDir, out.name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.npy');
        writeNpy(out.file, results[out.name].type, out.shape, results[out.name].data);
      }
    }
    const sorted = times.slice().sort((a, b) => a - b);
    report.latency_ns = {min: sorted[0], p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]};
    report.threads = args.threads;
  }
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e) => {
  process.stderr.write(`oracle: ${e.message || e}\n`);
  process.exit(1);
});
