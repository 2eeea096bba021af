/**
 * `npm run bench:carbonara`: prints one JSON object with the figures of the pure core — folding
 * measures and computing aggregates, and encoding/decoding the split format.
 */
import { measureFold } from './fold.ts';
import { measureSerialize } from './serialize.ts';

const fold = measureFold();
const serialize = measureSerialize();
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify(
    {
      node: process.version,
      fold,
      serialize,
      memory_mb: {
        rss: Math.round(memory.rss / 2 ** 20),
        heap_used: Math.round(memory.heapUsed / 2 ** 20),
      },
    },
    null,
    2,
  )}\n`,
);
