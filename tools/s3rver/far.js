#!/usr/bin/env node
'use strict';

// s3rver answering every request after a fixed delay: a store some milliseconds away, for the storage benchmark.
// The delay is in the server, so no proxy copies the bodies on the client's cores.
// usage: node far.js DIRECTORY PORT DELAY_MS BUCKET
const S3rver = require('s3rver');

const [directory, port, delayMs, bucket] = process.argv.slice(2);
const server = new S3rver({
  directory,
  address: '127.0.0.1',
  port: Number(port),
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const delay = Number(delayMs);
server.middleware.unshift(async (ctx, next) => {
  await new Promise(resolve => setTimeout(resolve, delay));
  await next();
});
server.run().catch(error => {
  console.error(error);
  process.exit(1);
});
