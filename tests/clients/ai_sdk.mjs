// Drives the Vercel AI SDK's own client code against the service and prints what it got.
// usage: node ai_sdk.mjs <ai|ai6> <chat|completion|resume|report> <base url> <question>
//        <answer|feedback id|session id>
// `report` chats with a session's report: the message sent is read by no one.
const [, , flavour, mode, baseUrl, question, answer] = process.argv;
const ai = await import(flavour);
const api = mode === "report"
  ? `${baseUrl}/api/v1/sessions/${answer}/report?protocol=ai-sdk`
  : `${baseUrl}/api/v1/feedback?protocol=ai-sdk`;
const text = mode === "report" ? "How did I do?" : answer;
const body = { question, delay_ms: 0 };

async function chatWithReact() {
  // ai 5 + @ai-sdk/react 2: the Chat class that useChat wraps.
  const { Chat } = await import("@ai-sdk/react");
  const chat = new Chat({ transport: new ai.DefaultChatTransport({ api, body }) });
  await chat.sendMessage({ text });
  return { message: chat.messages.at(-1), status: chat.status, error: chat.error?.message };
}

async function chatWithTransport() {
  // ai 6: the same transport and message reader that its Chat uses.
  const transport = new ai.DefaultChatTransport({ api, body });
  const stream = await transport.sendMessages({
    chatId: "chat-1",
    trigger: "submit-message",
    messageId: undefined,
    messages: [{ id: "u1", role: "user", parts: [{ type: "text", text }] }],
    abortSignal: undefined,
  });
  let message;
  let error;
  try {
    for await (const update of ai.readUIMessageStream({ stream })) message = update;
  } catch (caught) {
    error = caught.message;
  }
  return { message, status: error ? "error" : "ready", error };
}

async function completion() {
  let text = "";
  let error;
  await ai.callCompletionApi({
    api, prompt: answer, body, headers: {}, credentials: undefined, streamProtocol: "data",
    setCompletion: (value) => { text = value; }, setLoading() {}, setAbortController() {},
    setError: (value) => { if (value) error = value.message; },
    onFinish() {}, onError: (value) => { error = value.message; },
  });
  return { text, error };
}

async function resume() {
  // ai 5 + @ai-sdk/react 2: resume a running generation, as useChat({resume: true}) does.
  const { Chat } = await import("@ai-sdk/react");
  const feedbackId = answer;
  const transport = new ai.DefaultChatTransport({
    api,
    body,
    prepareReconnectToStreamRequest: ({ id }) => ({
      api: `${baseUrl}/api/v1/feedback/${id}/events?protocol=ai-sdk`,
    }),
  });
  const chat = new Chat({ id: feedbackId, transport });
  await chat.resumeStream();
  return { message: chat.messages.at(-1), status: chat.status, error: chat.error?.message };
}

let result;
if (mode === "completion") {
  result = await completion();
} else {
  const { message, status, error } =
    mode === "resume" ? await resume() : flavour === "ai" ? await chatWithReact() : await chatWithTransport();
  const parts = message?.parts ?? [];
  result = {
    status,
    error,
    text: parts.filter((p) => p.type === "text").map((p) => p.text).join(""),
    record: parts.find((p) => p.type === "data-feedback")?.data ?? null,
    metadata: message?.metadata ?? null,
  };
}
console.log(JSON.stringify(result));
