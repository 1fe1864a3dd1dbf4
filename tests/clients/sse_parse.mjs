// Parses SSE streams with eventsource-parser, the parser the Vercel AI SDK and many
// other clients use, for the round-trip property tests (tests/test_properties.py).
// One JSON request per stdin line: {"chunks": [base64, ...]}, the stream's bytes cut
// where a network might cut them. One JSON answer per stdout line:
// {"events": [{event, id, data}], "retries": [...], "comments": [...], "errors": [...]}.
// The bytes are decoded as a browser does, by one streaming UTF-8 decoder, except
// that invalid UTF-8 is reported instead of replaced.
import { createInterface } from "node:readline";
import { createParser } from "eventsource-parser";

function parse(chunks) {
  const result = { events: [], retries: [], comments: [], errors: [] };
  const parser = createParser({
    onEvent: ({ event, id, data }) => result.events.push({ event: event ?? null, id: id ?? null, data }),
    onRetry: (retry) => result.retries.push(retry),
    onComment: (comment) => result.comments.push(comment),
    onError: (error) => result.errors.push(error.message),
  });
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for (const chunk of chunks) parser.feed(decoder.decode(Buffer.from(chunk, "base64"), { stream: true }));
    parser.feed(decoder.decode());
  } catch (error) {
    result.errors.push(String(error));
  }
  return result;
}

for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(JSON.stringify(parse(JSON.parse(line).chunks)) + "\n");
}
