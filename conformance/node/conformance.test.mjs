// The official Node SDKs (openai, @anthropic-ai/sdk) against a real Tollgate (the jar built by `mvn package`) in
// front of its built-in fake provider, speaking OpenAI's API (gpt-test) and Anthropic's (claude-test).
// Each SDK feature is one named test. Run: ./run.sh (or `npm test` with the jar built).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const here = dirname(fileURLToPath(import.meta.url));
const jar = process.env.TOLLGATE_JAR ?? resolve(here, '../../target/tollgate.jar');
const KEYS = {
  ALPHA_KEY: 'tg-node-alpha-key-0123456789abcdefghijklmnop',
  BETA_KEY: 'tg-node-beta-key-0123456789abcdefghijklmnopq',
  SINGLE_KEY: 'tg-node-single-key-0123456789abcdefghijklmn',
  BROKE_KEY: 'tg-node-broke-key-0123456789abcdefghijklmnop',
  PROVIDER_KEY: 'sk-node-provider-key-0123456789',
};

let gateway;
let base;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-node-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(join(dir, 'prices.yaml'), `
models:
  upstream-gpt: { input: 0.50, output: 1.50 }
  upstream-claude: { input: 3, cached-input: 0.30, cache-write: 3.75, output: 15 }
`);
  writeFileSync(config, `
server: { port: 0, host: 127.0.0.1, instances: 1, first-byte-timeout: 1s, upstream-timeout: 5s, max-body-bytes: 65536,
          shutdown-grace: 1s, access-log: false, retry: { max-attempts: 1 } }
store: "sqlite:${dir}/tollgate.db"
prices: "${dir}/prices.yaml"
providers:
  mock: { type: mock }
  claude: { type: mock-anthropic }
  down: { type: openai, base-url: "http://127.0.0.1:1/v1", keys: [ { secret: "\${env:PROVIDER_KEY}" } ] }
models:
  gpt-test: { targets: [ { provider: mock, model: upstream-gpt } ] }
  embed-test: { targets: [ { provider: mock, model: upstream-embed } ] }
  claude-test: { targets: [ { provider: claude, model: upstream-claude } ] }
  down-test: { targets: [ { provider: down, model: nothing } ] }
teams:
  alpha: { keys: [ { name: main, secret: "\${env:ALPHA_KEY}" } ] }
  beta: { models: [ embed-test ], keys: [ { name: main, secret: "\${env:BETA_KEY}" } ] }
  single: { limits: { concurrent: 1 }, keys: [ { name: main, secret: "\${env:SINGLE_KEY}" } ] }
  broke: { budget: { usd: 0.000001, period: monthly }, keys: [ { name: main, secret: "\${env:BROKE_KEY}" } ] }
`);
  gateway = spawn('java', ['-jar', jar, '--config', config], { env: { ...process.env, ...KEYS }, stdio: ['ignore', 'pipe', 'pipe'] });
  base = await new Promise((ok, fail) => {
    let log = '';
    const timer = setTimeout(() => fail(new Error('the gateway did not start within 60 s:\n' + log)), 60_000);
    const read = (chunk) => {
      log += chunk;
      const m = /Tollgate listening on [^:\s]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(`http://127.0.0.1:${m[1]}`);
      }
    };
    gateway.stdout.on('data', read);
    gateway.stderr.on('data', read);
    gateway.on('exit', (code) => fail(new Error(`the gateway exited (${code}):\n` + log)));
  });
});

after(async () => {
  if (!gateway || gateway.exitCode !== null) return;
  const exited = new Promise((ok) => gateway.on('exit', ok));
  gateway.kill('SIGTERM');
  await exited;
});

const openai = (key = KEYS.ALPHA_KEY, maxRetries = 0) => new OpenAI({ baseURL: `${base}/v1`, apiKey: key, maxRetries });
const anthropic = (key = KEYS.ALPHA_KEY, maxRetries = 0) => new Anthropic({ baseURL: base, apiKey: key, maxRetries });
const weather = {
  type: 'function',
  function: { name: 'get_weather', description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
const claudeWeather = { name: 'get_weather', description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const toolCalls = (c) => (c.choices[0].message.tool_calls ?? []).map((t) => `${t.function.name} ${JSON.stringify(JSON.parse(t.function.arguments))}`);
const toolUses = (m) => m.content.filter((b) => b.type === 'tool_use').map((b) => `${b.name} ${JSON.stringify(b.input)}`);
const textOf = (m) => m.content.filter((b) => b.type === 'text').map((b) => b.text).join('');

/** The gateway's count of answers with this status (its request timer, every model). */
async function answered(status) {
  const text = await (await fetch(`${base}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('tollgate_requests_seconds_count{') && l.includes(`status="${status}"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function until(condition, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

/** Takes the single team's one concurrent slot with a slow stream until release() is called. */
async function holdSlot(path, body) {
  const abort = new AbortController();
  const res = await fetch(`${base}${path}`, { method: 'POST', signal: abort.signal,
    headers: { authorization: `Bearer ${KEYS.SINGLE_KEY}`, 'content-type': 'application/json', 'x-mock-tokens': '1000', 'x-mock-interval-ms': '50' },
    body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  await reader.read();
  return () => abort.abort();
}

async function failure(call) {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error('the request did not fail');
}

// ---- OpenAI SDK ----

test('openai: chat completion', async () => {
  const c = await openai().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'What is a gateway?' }] });
  assert.equal(c.choices[0].message.content.trim().split(' ').length, 16);
  assert.equal(c.choices[0].finish_reason, 'stop');
  assert.equal(c.usage.completion_tokens, 16);
});

test('openai: chat completion streamed chunk by chunk', async () => {
  const body = { model: 'gpt-test', messages: [{ role: 'user', content: 'Stream me' }] };
  const whole = await openai().chat.completions.create(body);
  let text = '';
  let usageSeen = false;
  for await (const chunk of await openai().chat.completions.create({ ...body, stream: true })) {
    text += chunk.choices[0]?.delta?.content ?? '';
    usageSeen ||= Boolean(chunk.usage);
  }
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(usageSeen, false, 'the usage chunk the gateway asked for is hidden from a client that did not');
});

test('openai: tool calls streamed and assembled by the SDK stream helper', async () => {
  const body = { model: 'gpt-test', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [weather] };
  const whole = await openai().chat.completions.create(body);
  const streamed = await openai().chat.completions.stream(body).finalChatCompletion();
  assert.equal(whole.choices[0].finish_reason, 'tool_calls');
  assert.equal(toolCalls(whole).length, 1);
  assert.deepEqual(toolCalls(streamed), toolCalls(whole));
  assert.equal(typeof JSON.parse(whole.choices[0].message.tool_calls[0].function.arguments).city, 'string');
});

test('openai: parallel tool calls', async () => {
  const body = { model: 'gpt-test', messages: [{ role: 'user', content: 'Weather in three cities?' }], tools: [weather] };
  const opts = { headers: { 'x-mock-tool-calls': '3' } };
  const whole = await openai().chat.completions.create(body, opts);
  const streamed = await openai().chat.completions.stream(body, opts).finalChatCompletion();
  assert.equal(toolCalls(whole).length, 3);
  assert.deepEqual(toolCalls(streamed), toolCalls(whole));
});

test('openai: structured output parsed by the SDK', async () => {
  const schema = { type: 'object', additionalProperties: false, required: ['city', 'temperature', 'sunny'],
    properties: { city: { type: 'string' }, temperature: { type: 'integer' }, sunny: { type: 'boolean' } } };
  const c = await openai().chat.completions.parse({ model: 'gpt-test', messages: [{ role: 'user', content: 'Forecast for Oslo' }],
    response_format: { type: 'json_schema', json_schema: { name: 'forecast', schema, strict: true } } });
  const parsed = c.choices[0].message.parsed;
  assert.equal(typeof parsed.city, 'string');
  assert.ok(Number.isInteger(parsed.temperature));
  assert.equal(typeof parsed.sunny, 'boolean');
});

test('openai: several choices with n', async () => {
  const c = await openai().chat.completions.create({ model: 'gpt-test', n: 3, messages: [{ role: 'user', content: 'Three ways' }] });
  assert.deepEqual(c.choices.map((x) => x.index), [0, 1, 2]);
  c.choices.forEach((x) => assert.ok(x.message.content.length > 0));
});

test('openai: responses API stream helper', async () => {
  const body = { model: 'gpt-test', input: 'Tell me about gateways' };
  const whole = await openai().responses.create(body);
  const types = [];
  const stream = openai().responses.stream(body);
  stream.on('event', (e) => types.push(e.type));
  const final = await stream.finalResponse();
  assert.equal(types[0], 'response.created');
  assert.equal(types.at(-1), 'response.completed');
  for (const t of ['response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.done']) {
    assert.ok(types.includes(t), t);
  }
  assert.ok(final.output_text.length > 0);
  assert.equal(final.output_text, whole.output_text);
});

test('openai: embeddings', async () => {
  const e = await openai().embeddings.create({ model: 'embed-test', input: 'embed this sentence' });
  assert.equal(e.data.length, 1);
  assert.ok(e.data[0].embedding.length > 0);
  assert.ok(e.usage.prompt_tokens > 0);
});

test('openai: the SDK retries a gateway 429 after retry-after-ms', async () => {
  const refused = await answered(429);
  const release = await holdSlot('/v1/chat/completions', { model: 'gpt-test', stream: true, messages: [{ role: 'user', content: 'hold' }] });
  const call = openai(KEYS.SINGLE_KEY, 5).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] });
  await until(async () => (await answered(429)) > refused);
  release();
  assert.equal((await call).choices.length, 1);
});

test('openai: the SDK does not retry an exhausted budget (x-should-retry: false)', async () => {
  const refused = await answered(429);
  const e = await failure(() => openai(KEYS.BROKE_KEY, 3).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }));
  assert.ok(e instanceof OpenAI.RateLimitError);
  assert.equal(e.code, 'insufficient_quota');
  assert.equal((await answered(429)) - refused, 1);
});

const chatFailure = (opts, key, body = {}) => failure(() => openai(key).chat.completions.create(
  { model: 'gpt-test', messages: [{ role: 'user', content: 'fail' }], ...body }, opts));

test('openai: 400 is a BadRequestError', async () => {
  const e = await chatFailure({}, undefined, { max_completion_tokens: 0 });
  assert.ok(e instanceof OpenAI.BadRequestError);
  assert.equal(e.param, 'max_completion_tokens');
});
test('openai: 401 is an AuthenticationError', async () => {
  assert.ok((await chatFailure({}, 'tg-not-a-real-key-0123456789abcdefghijklmnopq')) instanceof OpenAI.AuthenticationError);
});
test('openai: 403 is a PermissionDeniedError', async () => {
  assert.ok((await chatFailure({}, KEYS.BETA_KEY)) instanceof OpenAI.PermissionDeniedError);
});
test('openai: 404 is a NotFoundError', async () => {
  const e = await chatFailure({}, undefined, { model: 'no-such-model' });
  assert.ok(e instanceof OpenAI.NotFoundError);
  assert.equal(e.code, 'model_not_found');
});
test('openai: 413 is an APIError with the status', async () => {
  const e = await chatFailure({}, undefined, { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
  assert.ok(e instanceof OpenAI.APIError);
  assert.equal(e.status, 413);
  assert.equal(e.code, 'request_too_large');
});
test('openai: 429 is a RateLimitError', async () => {
  assert.ok((await chatFailure({ headers: { 'x-mock-fault': '429' } })) instanceof OpenAI.RateLimitError);
});
test('openai: 500 is an InternalServerError', async () => {
  const e = await chatFailure({ headers: { 'x-mock-fault': '500' } });
  assert.ok(e instanceof OpenAI.InternalServerError);
  assert.equal(e.status, 500);
});
test('openai: 502 for an unreachable provider is an InternalServerError', async () => {
  const e = await chatFailure({}, undefined, { model: 'down-test' });
  assert.ok(e instanceof OpenAI.InternalServerError);
  assert.equal(e.status, 502);
});
test('openai: 504 for a silent provider is an InternalServerError', async () => {
  const e = await chatFailure({ headers: { 'x-mock-fault': 'hang' } });
  assert.ok(e instanceof OpenAI.InternalServerError);
  assert.equal(e.status, 504);
});

// ---- OpenAI SDK to an Anthropic model ----

test('openai to claude: text and tool calls the SDK assembles, streamed or not', async () => {
  const body = { model: 'claude-test', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather?' }], tools: [weather] };
  const opts = { headers: { 'x-mock-tool-calls': '2' } };
  const whole = await openai().chat.completions.create(body, opts);
  const streamed = await openai().chat.completions.stream(body, opts).finalChatCompletion();
  assert.equal(whole.choices[0].finish_reason, 'tool_calls');
  assert.equal(toolCalls(whole).length, 2);
  assert.deepEqual(toolCalls(streamed), toolCalls(whole));
  assert.equal(streamed.choices[0].message.content ?? '', whole.choices[0].message.content ?? '');
});

// ---- Anthropic SDK ----

const message = (model, prompt, extra = {}) => ({ model, max_tokens: 256, messages: [{ role: 'user', content: prompt }], ...extra });

test('anthropic: message', async () => {
  const m = await anthropic().messages.create(message('claude-test', 'What is a gateway?'));
  assert.equal(m.type, 'message');
  assert.equal(textOf(m).trim().split(' ').length, 16);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.output_tokens, 16);
});

test('anthropic: message streamed and assembled by the SDK stream helper', async () => {
  const whole = await anthropic().messages.create(message('claude-test', 'Stream me'));
  const streamed = await anthropic().messages.stream(message('claude-test', 'Stream me')).finalMessage();
  assert.equal(textOf(streamed), textOf(whole));
  assert.equal(streamed.usage.output_tokens, whole.usage.output_tokens);
  assert.equal(streamed.usage.input_tokens, whole.usage.input_tokens);
});

test('anthropic: tool use streamed in pieces and assembled by the SDK stream helper', async () => {
  const body = message('claude-test', 'Weather in two cities?', { tools: [claudeWeather] });
  const opts = { headers: { 'x-mock-tool-calls': '2' } };
  const whole = await anthropic().messages.create(body, opts);
  const stream = anthropic().messages.stream(body, opts);
  let pieces = 0;
  stream.on('inputJson', () => pieces++);
  const streamed = await stream.finalMessage();
  assert.equal(whole.stop_reason, 'tool_use');
  assert.equal(toolUses(whole).length, 2);
  assert.deepEqual(toolUses(streamed), toolUses(whole));
  assert.ok(pieces > 2, 'the input JSON came in pieces');
});

test('anthropic: count tokens', async () => {
  const count = await anthropic().messages.countTokens({ model: 'claude-test', messages: [{ role: 'user', content: 'How many tokens is this?' }] });
  assert.ok(count.input_tokens > 3 && count.input_tokens < 40);
});

test('anthropic: messages to a model served by an OpenAI provider', async () => {
  const whole = await anthropic().messages.create(message('gpt-test', 'Translate me', { system: 'Be brief.' }));
  const streamed = await anthropic().messages.stream(message('gpt-test', 'Translate me', { system: 'Be brief.' })).finalMessage();
  assert.equal(textOf(whole).trim().split(' ').length, 16);
  assert.equal(textOf(streamed), textOf(whole));
  assert.equal(streamed.usage.output_tokens, 16);
});

test('anthropic: the SDK retries a gateway 429 after retry-after-ms', async () => {
  const refused = await answered(429);
  const release = await holdSlot('/v1/messages', message('claude-test', 'hold', { stream: true, max_tokens: 2000 }));
  const call = anthropic(KEYS.SINGLE_KEY, 5).messages.create(message('claude-test', 'x'));
  await until(async () => (await answered(429)) > refused);
  release();
  assert.ok(textOf(await call).length > 0);
});

test('anthropic: the SDK does not retry an exhausted budget (x-should-retry: false)', async () => {
  const refused = await answered(429);
  const e = await failure(() => anthropic(KEYS.BROKE_KEY, 3).messages.create(message('claude-test', 'x')));
  assert.ok(e instanceof Anthropic.RateLimitError);
  assert.equal((await answered(429)) - refused, 1);
});

const messageFailure = (opts, key, extra = {}) => failure(() => anthropic(key).messages.create(message('claude-test', 'fail', extra), opts));
const anthropicType = (e) => e.error?.error?.type;

for (const [status, name, provoke, type] of [
  [400, 'BadRequestError', () => messageFailure({}, undefined, { max_tokens: 0 }), 'invalid_request_error'],
  [401, 'AuthenticationError', () => messageFailure({}, 'tg-not-a-real-key-0123456789abcdefghijklmnopq'), 'authentication_error'],
  [403, 'PermissionDeniedError', () => messageFailure({}, KEYS.BETA_KEY), 'permission_error'],
  [404, 'NotFoundError', () => messageFailure({}, undefined, { model: 'no-such-model' }), 'not_found_error'],
  [413, 'ContentTooLargeError', () => messageFailure({}, undefined, { messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }), 'request_too_large'],
  [429, 'RateLimitError', () => messageFailure({ headers: { 'x-mock-fault': '429' } }), 'rate_limit_error'],
  [500, 'InternalServerError', () => messageFailure({ headers: { 'x-mock-fault': '500' } }), 'api_error'],
  [502, 'InternalServerError', () => messageFailure({}, undefined, { model: 'down-test' }), 'api_error'],
  [504, 'GatewayTimeoutError', () => messageFailure({ headers: { 'x-mock-fault': 'hang' } }), 'timeout_error'],
  [529, 'OverloadedError', () => messageFailure({ headers: { 'x-mock-fault': '529' } }), 'overloaded_error'],
]) {
  test(`anthropic: ${status} is ${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} with Anthropic's error type ${type}`, async () => {
    const e = await provoke();
    assert.ok(e instanceof Anthropic[name], `${e?.constructor?.name}: ${e?.message}`);
    assert.equal(e.status, status);
    assert.equal(anthropicType(e), type);
  });
}
