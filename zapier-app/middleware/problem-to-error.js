'use strict';

/*
 * afterResponse: the one place where BestRoute's errors become Zapier errors.
 *
 * The service answers every error with application/problem+json
 * ({type, title, status, detail} plus `errors`, `excluded`, `attempts`, ... where they apply).
 *
 *   401 unauthorized          -> z.errors.Error(code "AuthenticationError")  (custom auth: Zapier's
 *                                own template; RefreshAuthError is only for OAuth2/session refresh)
 *   429 rate-limited          -> z.errors.ThrottledError(detail, Retry-After seconds); Zapier retries
 *   402 budget-exhausted      -> z.errors.Error(detail + spent/budget/reset, "budget-exhausted")
 *   422 invalid-field         -> z.errors.Error(detail + each field, "invalid-field")
 *   422 no-eligible-model     -> z.errors.Error(detail + why models were excluded, "no-eligible-model")
 *   any other status >= 400   -> z.errors.Error(title + detail, <problem type>)
 *
 * The app sets flags.throwForThrottlingEarly = false so that 429s reach this middleware instead
 * of core's generic "The server returned 429" error.
 */

const MAX_LISTED = 5;

const problemType = (problem, status) => {
  const type = typeof problem.type === 'string' ? problem.type : '';
  const suffix = type.split('/').filter(Boolean).pop();
  return suffix && suffix !== 'about:blank' ? suffix : `http-${status}`;
};

const listed = (items, describe) => {
  const parts = items.slice(0, MAX_LISTED).map(describe);
  if (items.length > MAX_LISTED) parts.push(`and ${items.length - MAX_LISTED} more`);
  return parts.join('; ');
};

// The structured extras in plain sentences, so the Zap history explains itself. The service's
// detail often names some of them already; only what it leaves out is added.
const asList = (value) => (Array.isArray(value) ? value : []);

const extras = (problem, detail) => {
  const out = [];
  const mentioned = (name) => detail.includes(String(name));
  const fields = asList(problem.errors).filter((e) => !mentioned(`${e.field}:`));
  if (fields.length) {
    out.push(`Also invalid: ${listed(fields, (e) => `${e.field}: ${e.message}`)}.`);
  }
  const excluded = asList(problem.excluded);
  if (excluded.length && !excluded.some((e) => mentioned(e.model))) {
    out.push(`Excluded: ${listed(excluded, (e) => `${e.model} (${e.reason})`)}.`);
  }
  const attempts = asList(problem.attempts);
  if (attempts.length && !attempts.some((a) => mentioned(a.model))) {
    const attempt = (a) => `${a.model} ${a.status}${a.error_type ? ` (${a.error_type})` : ''}`;
    out.push(`Attempts: ${listed(attempts, attempt)}.`);
  }
  if (problem.budget_usd != null && problem.spent_usd != null && !/spent/i.test(detail)) {
    out.push(`Spent $${problem.spent_usd} of a $${problem.budget_usd} monthly budget.`);
  }
  if (problem.resets_at && !mentioned(problem.resets_at)) out.push(`The budget resets at ${problem.resets_at}.`);
  return out;
};

const parseProblem = (response) => {
  const body = response.data;
  if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  // Not from BestRoute itself (a proxy page, an empty body): keep a short excerpt.
  const text = String(response.content || '').replace(/\s+/g, ' ').trim().slice(0, 200);
  return { title: `HTTP ${response.status}`, detail: text || undefined };
};

const retryAfterSeconds = (response, problem) => {
  const header = Number.parseInt(response.headers.get('retry-after'), 10);
  if (Number.isFinite(header)) return header;
  const fromBody = problem.retry_after_s == null ? NaN : Number(problem.retry_after_s);
  return Number.isFinite(fromBody) ? Math.ceil(fromBody) : null;
};

const sentence = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);

const problemToError = (response, z) => {
  const status = response.status;
  if (status < 400) return response;

  const problem = parseProblem(response);
  const detail = sentence(String(problem.detail || problem.title || `HTTP ${status}`));
  const message = [detail, ...extras(problem, detail)].join(' ');

  if (status === 401) {
    throw new z.errors.Error(
      `BestRoute rejected the API key: ${detail} Check the API key of this BestRoute connection.`,
      'AuthenticationError',
      status,
    );
  }
  const title = problem.title && sentence(problem.title) !== detail ? `${problem.title}: ` : '';
  if (status === 429) {
    throw new z.errors.ThrottledError(`${title}${message}`, retryAfterSeconds(response, problem));
  }
  throw new z.errors.Error(`${title}${message}`, problemType(problem, status), status);
};

module.exports = problemToError;
