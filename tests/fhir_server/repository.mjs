// Medplum's in-memory repository with a fast path for searches scoped to one patient.
//
// The stock MemoryRepository answers a search by evaluating every filter's FHIRPath expression on
// every stored resource of the type, and evaluates the sort expression inside the sort comparator.
// With the 30 Synthea patients loaded (about 4,000 Observations), one "this patient's
// observations, newest first" query takes seconds, because the `patient` parameter's expression
// resolves references. A real server answers that from an index, so this subclass does too: it
// picks the patient's resources with a plain property check, evaluates the remaining filters with
// Medplum's own matcher, and computes each sort key once. Anything it does not recognise (includes,
// multi-type searches, chained or OR'd patient values) goes to the stock implementation unchanged.

import { deepClone, evalFhirPath, getSearchParameter, matchesSearchRequest } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';

const PATIENT_PARAMS = new Set(['patient', 'subject']);

// The patient id a filter value names: "Patient/123", "123" or an absolute URL ending in either.
function patientIdOf(value) {
  if (typeof value !== 'string' || value.includes(',')) return undefined;
  const match = /(?:^|\/)Patient\/([^/]+)$/.exec(value);
  if (match) return match[1];
  return value.includes('/') ? undefined : value;
}

function refersToPatient(resource, patientId) {
  const target = `Patient/${patientId}`;
  return resource.subject?.reference === target || resource.patient?.reference === target;
}

// Shared parameters such as `date` have one expression that is a union over thirty resource
// types; evaluating all of it per resource dominates a sort, so only this type's branches are kept.
const expressionCache = new Map();
function expressionFor(resourceType, code) {
  const cacheKey = `${resourceType}:${code}`;
  if (!expressionCache.has(cacheKey)) {
    const expression = getSearchParameter(resourceType, code)?.expression;
    const own = expression
      ?.split('|')
      .map((part) => part.trim())
      .filter((part) => part.startsWith(`${resourceType}.`) || part.startsWith(`(${resourceType}.`));
    expressionCache.set(cacheKey, own?.length ? own.join(' | ') : expression);
  }
  return expressionCache.get(cacheKey);
}

function sortKey(resource, code) {
  if (code === '_id') return resource.id;
  if (code === '_lastUpdated') return resource.meta?.lastUpdated;
  const expression = expressionFor(resource.resourceType, code);
  if (!expression) return undefined;
  const [first] = evalFhirPath(expression, resource);
  if (first === undefined || first === null) return undefined;
  if (typeof first === 'object') return first.start ?? first.end ?? first.value ?? first.code;
  return first;
}

function compareKeys(a, b, descending) {
  // Resources without a value sort last in either direction, as servers usually do.
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const order = a < b ? -1 : a > b ? 1 : 0;
  return descending ? -order : order;
}

export class PatientIndexedRepository extends MemoryRepository {
  async search(searchRequest) {
    return this.patientScopedSearch(searchRequest) ?? super.search(searchRequest);
  }

  patientScopedSearch(req) {
    // `resources` is the parent's Map<resourceType, Map<id, resource>>; if a future version stores
    // them differently, fall back to the stock search rather than guess.
    const store = this.resources;
    if (!(store instanceof Map) || req.include || req.revInclude || req.types) return undefined;
    const filters = req.filters ?? [];
    const index = filters.findIndex((f) => PATIENT_PARAMS.has(f.code) && f.operator === 'eq');
    if (index < 0) return undefined;
    const patientId = patientIdOf(filters[index].value);
    if (!patientId) return undefined;

    const rest = { resourceType: req.resourceType, filters: filters.filter((_, i) => i !== index) };
    const matches = [];
    for (const resource of (store.get(req.resourceType) ?? new Map()).values()) {
      if (refersToPatient(resource, patientId) && matchesSearchRequest(resource, rest)) {
        matches.push(resource);
      }
    }

    const rules = req.sortRules ?? [];
    let ordered = matches;
    if (rules.length > 0) {
      const keyed = matches.map((resource) => ({
        resource,
        keys: rules.map((rule) => sortKey(resource, rule.code)),
      }));
      keyed.sort((a, b) => {
        for (let i = 0; i < rules.length; i++) {
          const order = compareKeys(a.keys[i], b.keys[i], rules[i].descending);
          if (order !== 0) return order;
        }
        return 0;
      });
      ordered = keyed.map((k) => k.resource);
    }

    const offset = req.offset ?? 0;
    const page = req.count === undefined ? ordered.slice(offset) : ordered.slice(offset, offset + req.count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: page.length ? page.map((r) => ({ search: { mode: 'match' }, resource: deepClone(r) })) : undefined,
      total: matches.length,
    };
  }
}
