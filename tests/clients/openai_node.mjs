// Drives the official openai npm SDK against the OpenAI-compatible endpoint.
// usage: node openai_node.mjs <stream|whole|bad> <base url> <question> <answer>
import OpenAI from "openai";

const [, , mode, baseUrl, question, answer] = process.argv;
const client = new OpenAI({ baseURL: `${baseUrl}/api/v1/openai`, apiKey: "unused", maxRetries: 0 });
const messages = [
  { role: "assistant", content: question },
  { role: "user", content: answer },
];
let result;
try {
  if (mode === "stream") {
    const stream = await client.chat.completions.create({
      model: "gpt-3.5-turbo", messages, stream: true, stream_options: { include_usage: true },
      delay_ms: 0,
    });
    let text = "";
    const ids = new Set();
    let usage = null;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      text += chunk.choices[0]?.delta?.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    result = { text, ids: [...ids], usage };
  } else if (mode === "whole") {
    const completion = await client.chat.completions.create({ model: "gpt-3.5-turbo", messages });
    result = { text: completion.choices[0].message.content, id: completion.id };
  } else {
    await client.chat.completions.create({ model: "m", messages: [{ role: "system", content: "no answer" }] });
    result = { error: null };
  }
} catch (error) {
  result = { error: error.message, status: error.status ?? null, name: error.constructor.name };
}
console.log(JSON.stringify(result));
