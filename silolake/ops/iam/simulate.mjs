#!/usr/bin/env node
// Offline IAM policy evaluation harness (test-only) around @cloud-copilot/iam-simulate.
//
// stdin:  JSON array of cases (see README.md for the full format)
// stdout: JSON array of {"name", "decision", "details"} in input order
//
// Exit codes: 0 = every case evaluated; 2 = malformed input or a library
// validation/policy error (message on stderr, nothing on stdout). Errors are
// never turned into a "deny".

import { readFileSync } from 'node:fs';
import {
  anonymousPrincipal,
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  typeForContextKey,
  isConditionKeyArray,
} from '@cloud-copilot/iam-simulate';

const LIB_VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/@cloud-copilot/iam-simulate/package.json', import.meta.url), 'utf8'),
).version;

class CaseError extends Error {}

const FULL_AWS_ACCESS_SCP = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

const KNOWN_FIELDS = new Set([
  'name',
  'principal',
  'action',
  'resource',
  'resourceAccount',
  'identityPolicies',
  'resourcePolicy',
  'scps',
  'scpFullAWSAccess',
  'scpLevels',
  'rcps',
  'rcpLevels',
  'permissionBoundaries',
  'sessionPolicy',
  'vpcEndpointPolicies',
  's3BlockPublicAccess',
  'context',
  'autoContext',
  'allowIgnoredContextKeys',
  'verbose',
  'expect', // ignored by the harness; lets callers keep expectations next to cases
]);

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function fail(name, msg) {
  throw new CaseError(`case ${JSON.stringify(name)}: ${msg}`);
}

function requireString(c, field) {
  if (typeof c[field] !== 'string' || c[field].length === 0) {
    fail(c.name, `"${field}" must be a non-empty string`);
  }
  return c[field];
}

function policyDoc(caseName, where, doc) {
  if (!isObj(doc)) fail(caseName, `${where} must be a policy document object`);
  if (!('Statement' in doc)) fail(caseName, `${where} has no "Statement"`);
  return doc;
}

/** Accepts a list of policy docs or {name, policy} objects; returns [{name, policy}]. */
function namedPolicies(caseName, field, list, prefix) {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) fail(caseName, `"${field}" must be an array`);
  return list.map((item, i) => {
    if (isObj(item) && 'policy' in item && !('Statement' in item)) {
      const name = typeof item.name === 'string' && item.name ? item.name : `${prefix}${i + 1}`;
      return { name, policy: policyDoc(caseName, `${field}[${i}].policy`, item.policy) };
    }
    return { name: `${prefix}${i + 1}`, policy: policyDoc(caseName, `${field}[${i}]`, item) };
  });
}

function orgLevels(caseName, field, levels, prefix) {
  if (!Array.isArray(levels)) fail(caseName, `"${field}" must be an array of {orgIdentifier, policies}`);
  return levels.map((lvl, i) => {
    if (!isObj(lvl) || typeof lvl.orgIdentifier !== 'string' || !Array.isArray(lvl.policies)) {
      fail(caseName, `${field}[${i}] must be {"orgIdentifier": str, "policies": [...]}`);
    }
    return {
      orgIdentifier: lvl.orgIdentifier,
      policies: namedPolicies(caseName, `${field}[${i}].policies`, lvl.policies, `${prefix}${i + 1}-`),
    };
  });
}

/** aws:PrincipalArn as AWS sets it: assumed-role sessions report the role ARN. */
function principalArnFor(principal) {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(principal);
  if (m) return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  return principal;
}

function accountOf(arn) {
  const parts = arn.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && /^\d{12}$/.test(parts[4]) ? parts[4] : undefined;
}

async function buildContext(c, anonymous) {
  const raw = c.context === undefined ? {} : c.context;
  if (!isObj(raw)) fail(c.name, '"context" must be an object');
  const ctx = {};
  const seenLower = new Map();
  for (const [key, value] of Object.entries(raw)) {
    const lower = key.toLowerCase();
    if (seenLower.has(lower)) fail(c.name, `context key ${key} given twice (keys are case-insensitive; also ${seenLower.get(lower)})`);
    seenLower.set(lower, key);
    let type;
    try {
      type = await typeForContextKey(key);
    } catch (e) {
      fail(c.name, `unknown context key ${JSON.stringify(key)} (${e.message})`);
    }
    if (Array.isArray(value)) {
      if (!value.every((v) => typeof v === 'string')) fail(c.name, `context ${key}: array values must be strings`);
      if (!isConditionKeyArray(type) && value.length !== 1) {
        // The library would silently keep only value[0].
        fail(c.name, `context ${key} is single-valued (${type}) but got ${value.length} values`);
      }
    } else if (typeof value !== 'string') {
      fail(c.name, `context ${key}: value must be a string or array of strings (use "true", not true)`);
    }
    ctx[key] = value;
  }

  const derived = {};
  const autoContext = c.autoContext === undefined ? true : c.autoContext;
  if (typeof autoContext !== 'boolean') fail(c.name, '"autoContext" must be a boolean');
  if (anonymous) {
    for (const k of ['aws:principalarn', 'aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths']) {
      if (seenLower.has(k)) fail(c.name, `anonymous request cannot carry ${seenLower.get(k)}`);
    }
  } else if (autoContext) {
    const acct = accountOf(c.principal);
    if (acct !== undefined) {
      if (!seenLower.has('aws:principalarn')) derived['aws:PrincipalArn'] = principalArnFor(c.principal);
      if (!seenLower.has('aws:principalaccount')) derived['aws:PrincipalAccount'] = acct;
      for (const k of ['aws:principalarn', 'aws:principalaccount']) {
        if (!seenLower.has(k)) continue;
        const given = ctx[seenLower.get(k)];
        const givenAcct = k === 'aws:principalaccount' ? given : accountOf(String(given));
        if (givenAcct !== acct) {
          fail(c.name, `context ${seenLower.get(k)}=${JSON.stringify(given)} contradicts principal account ${acct} (set "autoContext": false to force)`);
        }
      }
    }
  }
  return { ctx: { ...derived, ...ctx }, derived };
}

function statementRefs(analysis) {
  if (!analysis) return undefined;
  const ref = (s) => ({
    policy: s.policyId ?? null,
    sid: s.statement.sid() ?? null,
    index: s.statement.index(),
  });
  return {
    result: analysis.result,
    allow: analysis.allowStatements.map(ref),
    deny: analysis.denyStatements.map(ref),
  };
}

function orgRefs(analysis) {
  if (!analysis) return undefined;
  return {
    result: analysis.result,
    levels: analysis.ouAnalysis.map((ou) => ({
      orgIdentifier: ou.orgIdentifier,
      result: ou.result,
      deny: ou.denyStatements.map((s) => ({ policy: s.policyId ?? null, sid: s.statement.sid() ?? null })),
    })),
  };
}

function summarize(a, verbose) {
  const out = {
    result: a.result,
    sameAccount: a.sameAccount,
    blockedBy: a.blockedBy ?? [],
    identity: statementRefs(a.identityAnalysis),
    resource: statementRefs(a.resourceAnalysis),
    scp: orgRefs(a.scpAnalysis),
    rcp: orgRefs(a.rcpAnalysis),
    permissionBoundary: statementRefs(a.permissionBoundaryAnalysis),
    session: statementRefs(a.sessionAnalysis),
    grants: a.result === 'Allowed' ? getGrantReasons(a) : [],
    denials: a.result === 'Allowed' ? [] : getDenialReasons(a),
  };
  if (verbose) {
    const explains = (an) =>
      an ? [...an.allowStatements, ...an.denyStatements, ...an.unmatchedStatements].map((s) => s.explain) : undefined;
    out.explains = {
      identity: explains(a.identityAnalysis),
      resource: explains(a.resourceAnalysis),
      scp: a.scpAnalysis?.ouAnalysis.map(explains),
      rcp: a.rcpAnalysis?.ouAnalysis.map(explains),
    };
  }
  return out;
}

async function evaluateCase(c, index) {
  if (!isObj(c)) throw new CaseError(`case #${index}: must be an object`);
  if (typeof c.name !== 'string' || !c.name) throw new CaseError(`case #${index}: "name" must be a non-empty string`);
  for (const k of Object.keys(c)) {
    if (!KNOWN_FIELDS.has(k)) fail(c.name, `unknown field "${k}"`);
  }
  const principalStr = requireString(c, 'principal');
  const action = requireString(c, 'action');
  const resource = requireString(c, 'resource');
  const resourceAccount = requireString(c, 'resourceAccount');
  if (!/^\d{12}$/.test(resourceAccount)) fail(c.name, `"resourceAccount" must be a 12-digit account id`);

  const anonymous = principalStr === '*';
  const principal = anonymous ? anonymousPrincipal : principalStr;

  const identityPolicies = namedPolicies(c.name, 'identityPolicies', c.identityPolicies, 'identity-');
  const resourcePolicy =
    c.resourcePolicy === undefined || c.resourcePolicy === null
      ? undefined
      : policyDoc(c.name, 'resourcePolicy', c.resourcePolicy);

  if (c.scps !== undefined && c.scpLevels !== undefined) fail(c.name, 'give "scps" or "scpLevels", not both');
  if (c.rcps !== undefined && c.rcpLevels !== undefined) fail(c.name, 'give "rcps" or "rcpLevels", not both');
  let serviceControlPolicies = [];
  if (c.scps !== undefined) {
    const scpFull = c.scpFullAWSAccess === undefined ? true : c.scpFullAWSAccess;
    if (typeof scpFull !== 'boolean') fail(c.name, '"scpFullAWSAccess" must be a boolean');
    const pols = namedPolicies(c.name, 'scps', c.scps, 'scp-');
    if (scpFull) pols.unshift({ name: 'FullAWSAccess', policy: FULL_AWS_ACCESS_SCP });
    serviceControlPolicies = [{ orgIdentifier: 'scps', policies: pols }];
  } else if (c.scpLevels !== undefined) {
    serviceControlPolicies = orgLevels(c.name, 'scpLevels', c.scpLevels, 'scp-');
  }
  let resourceControlPolicies = [];
  if (c.rcps !== undefined) {
    resourceControlPolicies = [{ orgIdentifier: 'rcps', policies: namedPolicies(c.name, 'rcps', c.rcps, 'rcp-') }];
  } else if (c.rcpLevels !== undefined) {
    resourceControlPolicies = orgLevels(c.name, 'rcpLevels', c.rcpLevels, 'rcp-');
  }

  const { ctx, derived } = await buildContext(c, anonymous);

  const simulation = {
    request: {
      principal,
      action,
      resource: { resource, accountId: resourceAccount },
      contextVariables: ctx,
    },
    identityPolicies,
    serviceControlPolicies,
    resourceControlPolicies,
    resourcePolicy,
  };
  if (c.permissionBoundaries !== undefined) {
    simulation.permissionBoundaryPolicies = namedPolicies(c.name, 'permissionBoundaries', c.permissionBoundaries, 'pb-');
  }
  if (c.vpcEndpointPolicies !== undefined) {
    simulation.vpcEndpointPolicies = namedPolicies(c.name, 'vpcEndpointPolicies', c.vpcEndpointPolicies, 'vpce-');
  }
  if (c.sessionPolicy !== undefined && c.sessionPolicy !== null) {
    simulation.sessionPolicy = policyDoc(c.name, 'sessionPolicy', c.sessionPolicy);
  }
  if (c.s3BlockPublicAccess !== undefined) {
    if (typeof c.s3BlockPublicAccess !== 'boolean') fail(c.name, '"s3BlockPublicAccess" must be a boolean');
    simulation.additionalSettings = { s3: { blockPublicAccess: c.s3BlockPublicAccess } };
  }

  const res = await runSimulation(simulation, { simulationMode: 'Strict' });
  if (res.resultType === 'error') {
    fail(c.name, `iam-simulate rejected the simulation: ${JSON.stringify(res.errors)}`);
  }

  const results = res.resultType === 'single' ? [res.result] : res.results;
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))];
  if (ignored.length > 0 && !c.allowIgnoredContextKeys) {
    fail(
      c.name,
      `context keys not applicable to ${action} on this resource were dropped by iam-simulate: ${ignored.join(', ')} ` +
        '(set "allowIgnoredContextKeys": true if intended)',
    );
  }
  if (res.resultType === 'wildcard' && results.length === 0 && res.overallResult === 'Allowed') {
    fail(c.name, 'wildcard simulation produced no results');
  }

  const verbose = !!c.verbose;
  return {
    name: c.name,
    decision: res.overallResult,
    details: {
      resultType: res.resultType,
      resourceType: res.resultType === 'single' ? res.result.resourceType ?? null : undefined,
      derivedContext: derived,
      ignoredContextKeys: ignored,
      analyses:
        res.resultType === 'single'
          ? [summarize(res.result.analysis, verbose)]
          : res.results.map((r) => ({ resourcePattern: r.resourcePattern, ...summarize(r.analysis, verbose) })),
    },
  };
}

async function main() {
  let input;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    throw new CaseError(`stdin is not valid JSON: ${e.message}`);
  }
  if (!Array.isArray(input)) throw new CaseError('stdin must be a JSON array of cases');
  const names = new Set();
  const out = [];
  for (let i = 0; i < input.length; i++) {
    const name = isObj(input[i]) ? input[i].name : undefined;
    if (typeof name === 'string' && names.has(name)) throw new CaseError(`duplicate case name ${JSON.stringify(name)}`);
    names.add(name);
    out.push(await evaluateCase(input[i], i));
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (process.argv.includes('--version')) {
  process.stdout.write(`${LIB_VERSION}\n`);
} else {
  main().catch((e) => {
    const msg = e instanceof CaseError ? e.message : `internal error: ${e.stack || e}`;
    process.stderr.write(`simulate.mjs (iam-simulate ${LIB_VERSION}): ${msg}\n`);
    process.exit(2);
  });
}
