// node-alloc: exercises V8/Node memory management under allocation churn:
// JS arrays and objects (V8 heap pages: mmap/munmap, mprotect of code and
// heap pages), large ArrayBuffers/Buffers (allocated outside the V8 heap
// by glibc malloc, so big ones are mmap'd and munmap'd), worker threads
// (clone3), then drops everything and forces full collections with
// global.gc() (run with --expose-gc) so V8 releases pages.
'use strict';

if (typeof global.gc !== 'function') {
  console.error('run with: node --expose-gc node-alloc.js');
  process.exit(2);
}

// Deterministic pseudo-random sizes.
let seed = 12345;
function rand(n) {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
}

let keep = [];

// Phase 1: many small JS objects and arrays (V8 new/old space).
for (let i = 0; i < 200000; i++) {
  keep.push({ i, s: 'x' + i, a: new Array(8).fill(i) });
}
// Phase 2: large arrays (V8 large-object space).
for (let i = 0; i < 40; i++) {
  keep.push(new Float64Array(64 * 1024 + rand(64 * 1024)));
}
// Phase 3: Buffers of varied sizes (backing stores outside the V8 heap).
for (let i = 0; i < 300; i++) {
  const b = Buffer.alloc(1 + rand(2 * 1024 * 1024));
  b[0] = i;
  keep.push(b);
}
const before = process.memoryUsage();
console.log('allocated: rss %d MiB, heapUsed %d MiB, external %d MiB',
  before.rss >> 20, before.heapUsed >> 20, before.external >> 20);

// Drop it all and collect.
keep = null;
global.gc();
global.gc();

// Phase 4: churn, then collect again.
for (let r = 0; r < 5; r++) {
  let tmp = [];
  for (let i = 0; i < 50; i++) tmp.push(Buffer.alloc(256 * 1024 + rand(1024 * 1024)));
  for (let i = 0; i < 50000; i++) tmp.push([i, i + 1, i + 2]);
  tmp = null;
  global.gc();
}

const after = process.memoryUsage();
console.log('after gc: rss %d MiB, heapUsed %d MiB, external %d MiB',
  after.rss >> 20, after.heapUsed >> 20, after.external >> 20);
