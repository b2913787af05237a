// eventsource-parser on the streams bench/parser_bench dumps, fed in the same 64 KiB slices.
// Prints one line per stream and measure: `<measure> <kind> <MB/s> <events>`, MB = 10^6 bytes,
// the median of the repetitions, timed as process CPU time (as Google Benchmark times parser_bench).
//   decode+feed: TextDecoder (streaming) then feed(), bytes in, events out, as ssespec's feed() is;
//   feed:        feed() alone, on strings decoded beforehand (the peer's best case).
//   node peer_bench.mjs SLICE_BYTES REPETITIONS FILE.sse...
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createParser } from 'eventsource-parser';

const [sliceArg, repsArg, ...files] = process.argv.slice(2);
const slice = Number(sliceArg);
const repetitions = Number(repsArg);

function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Runs `parse(onEvent)` `repetitions` times; returns [median MB/s, events of one run].
function measure(bytes, parse) {
  const rates = [];
  let events = 0;
  for (let i = 0; i < repetitions; ++i) {
    events = 0;
    const start = cpuSeconds();
    parse(() => { ++events; });
    rates.push(bytes / (cpuSeconds() - start) / 1e6);
  }
  return [median(rates), events];
}

for (const file of files) {
  const kind = basename(file, '.sse');
  const stream = readFileSync(file);
  const slices = [];
  for (let at = 0; at < stream.length; at += slice) slices.push(stream.subarray(at, at + slice));

  const [decodeRate, decodeEvents] = measure(stream.length, (onEvent) => {
    const parser = createParser({ onEvent });
    const decoder = new TextDecoder('utf-8');
    for (const bytes of slices) parser.feed(decoder.decode(bytes, { stream: true }));
    parser.reset({ consume: false });
  });
  console.log(`decode+feed ${kind} ${decodeRate.toFixed(0)} ${decodeEvents}`);

  const decoder = new TextDecoder('utf-8');
  const strings = slices.map((bytes) => decoder.decode(bytes, { stream: true }));
  const [feedRate, feedEvents] = measure(stream.length, (onEvent) => {
    const parser = createParser({ onEvent });
    for (const text of strings) parser.feed(text);
    parser.reset({ consume: false });
  });
  console.log(`feed ${kind} ${feedRate.toFixed(0)} ${feedEvents}`);
}
