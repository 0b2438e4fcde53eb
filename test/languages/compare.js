#!/usr/bin/env node
// Compares a manifest synthesized by another language's example with the TypeScript one, object by object.
// Usage: node compare.js <expected.k8s.yaml> <actual.k8s.yaml> <label>
'use strict';
const fs = require('fs');
const { isDeepStrictEqual } = require('util');
const YAML = require('yaml');

function load(file) {
  const objects = new Map();
  const order = [];
  for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj == null) continue;
    const key = `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (objects.has(key)) throw new Error(`${file}: ${key} appears twice`);
    objects.set(key, obj);
    order.push(key);
  }
  return { objects, order };
}

// The first path at which two values differ, e.g. `spec.template.spec.containers[0].image`.
function firstDifference(a, b, path = '') {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
  } else if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || '(root)'}: expected ${JSON.stringify(a)}, got ${JSON.stringify(b)}`;
}

const [expectedFile, actualFile, label = actualFile] = process.argv.slice(2);
if (!expectedFile || !actualFile) {
  console.error('usage: compare.js <expected.k8s.yaml> <actual.k8s.yaml> [label]');
  process.exit(2);
}
const expected = load(expectedFile);
const actual = load(actualFile);
let passed = 0;
let failed = 0;
for (const key of expected.order) {
  const want = expected.objects.get(key);
  const got = actual.objects.get(key);
  if (got === undefined) {
    failed++;
    console.log(`  FAIL ${label}: ${key} is missing`);
  } else if (isDeepStrictEqual(want, got)) {
    passed++;
    console.log(`  ok   ${label}: ${key}`);
  } else {
    failed++;
    console.log(`  FAIL ${label}: ${key} differs at ${firstDifference(want, got)}`);
  }
}
for (const key of actual.order) {
  if (!expected.objects.has(key)) {
    failed++;
    console.log(`  FAIL ${label}: ${key} is not in ${expectedFile}`);
  }
}
if (expected.order.length === 0) {
  failed++;
  console.log(`  FAIL ${label}: ${expectedFile} holds no objects`);
}
console.log(`${label}: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
