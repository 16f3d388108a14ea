'use strict';
/*
 * A renderer for the subset of IML (Make's template language) this app uses.
 *
 * This APPROXIMATES Make's engine; it is not Make's engine (which is not published). It follows
 * Make's documented behaviour where the app depends on it:
 *  - a string that is exactly one `{{expression}}` takes the expression's raw value (object,
 *    array, number...); any other string interpolates each expression as text;
 *  - a key whose value renders to `undefined` is left out of the object, which is how Make drops
 *    mappable parameters the user left empty;
 *  - functions named in the app: ifempty, if, toCollection, distinct. Any other function, operator
 *    or syntax is rejected, so the app cannot silently start relying on IML this renderer does not
 *    understand.
 */

const FUNCTIONS = {
  ifempty: { lazy: false, fn: (value, fallback) => (isEmpty(value) ? fallback : value) },
  // `if` evaluates only the branch it returns (Make's short-circuit behaviour).
  if: { lazy: true },
  toCollection: {
    lazy: false,
    fn: (array, keyName, valueName) => {
      if (array === undefined || array === null) return undefined;
      if (!Array.isArray(array)) throw new ImlError('toCollection expects an array');
      const out = {};
      for (const entry of array) out[entry[keyName]] = entry[valueName];
      return out;
    },
  },
  distinct: {
    lazy: false,
    fn: (array, key) => {
      if (!Array.isArray(array)) return array;
      const seen = new Set();
      return array.filter((entry) => {
        const id = key === undefined ? JSON.stringify(entry) : JSON.stringify(get(entry, key));
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    },
  },
};

class ImlError extends Error {}

function isEmpty(value) {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function get(obj, key) {
  return obj === undefined || obj === null ? undefined : obj[key];
}

// ---- tokenizer -------------------------------------------------------------------------------
const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|([A-Za-z_$][\w$]*)|(!=|<=|>=|[=<>+\-(),.[\]]))/y;

function tokenize(src) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new ImlError(`unsupported IML syntax at "${src.slice(pos)}" in {{${src}}}`);
    pos = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ t: 'num', v: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ t: 'str', v: m[2].slice(1, -1).replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) tokens.push({ t: 'id', v: m[3] });
    else tokens.push({ t: 'op', v: m[4] });
  }
  return tokens;
}

// ---- parser (to a small AST) -----------------------------------------------------------------
function parse(src) {
  const tokens = tokenize(src);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (v) => peek() && peek().t === 'op' && peek().v === v;
  const expect = (v) => {
    if (!isOp(v)) throw new ImlError(`expected "${v}" in {{${src}}}`);
    i += 1;
  };

  function comparison() {
    const left = additive();
    for (const op of ['=', '!=', '<', '>', '<=', '>=']) {
      if (isOp(op)) {
        i += 1;
        return { k: 'bin', op, left, right: additive() };
      }
    }
    return left;
  }
  function additive() {
    let node = postfix();
    while (isOp('+') || isOp('-')) {
      const op = tokens[i].v;
      i += 1;
      node = { k: 'bin', op, left: node, right: postfix() };
    }
    return node;
  }
  function postfix() {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        i += 1;
        const name = peek();
        if (!name || name.t !== 'id') throw new ImlError(`expected a name after "." in {{${src}}}`);
        i += 1;
        node = { k: 'get', obj: node, key: { k: 'lit', v: name.v } };
      } else if (isOp('[')) {
        i += 1;
        const key = comparison();
        expect(']');
        node = { k: 'get', obj: node, key };
      } else {
        return node;
      }
    }
  }
  function primary() {
    const tok = peek();
    if (!tok) throw new ImlError(`unexpected end of {{${src}}}`);
    i += 1;
    if (tok.t === 'num' || tok.t === 'str') return { k: 'lit', v: tok.v };
    if (tok.t === 'op' && tok.v === '(') {
      const inner = comparison();
      expect(')');
      return inner;
    }
    if (tok.t !== 'id') throw new ImlError(`unexpected "${tok.v}" in {{${src}}}`);
    const literals = { true: true, false: false, null: null, undefined: undefined };
    if (Object.prototype.hasOwnProperty.call(literals, tok.v)) return { k: 'lit', v: literals[tok.v] };
    if (isOp('(')) {
      if (!FUNCTIONS[tok.v]) throw new ImlError(`IML function ${tok.v}() is not supported by this approximation`);
      i += 1;
      const args = [];
      if (!isOp(')')) {
        args.push(comparison());
        while (isOp(',')) {
          i += 1;
          args.push(comparison());
        }
      }
      expect(')');
      return { k: 'call', name: tok.v, args };
    }
    return { k: 'var', name: tok.v };
  }

  const ast = comparison();
  if (i !== tokens.length) throw new ImlError(`unexpected "${tokens[i].v}" in {{${src}}}`);
  return ast;
}

// ---- evaluation ------------------------------------------------------------------------------
function evaluate(node, ctx) {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'var':
      return ctx[node.name];
    case 'get':
      return get(evaluate(node.obj, ctx), evaluate(node.key, ctx));
    case 'bin': {
      const a = evaluate(node.left, ctx);
      const b = evaluate(node.right, ctx);
      switch (node.op) {
        case '=':
          return looseEqual(a, b);
        case '!=':
          return !looseEqual(a, b);
        case '<':
          return a < b;
        case '>':
          return a > b;
        case '<=':
          return a <= b;
        case '>=':
          return a >= b;
        case '+':
          return typeof a === 'number' && typeof b === 'number' ? a + b : text(a) + text(b);
        case '-':
          return Number(a) - Number(b);
        default:
          throw new ImlError(`operator ${node.op}`);
      }
    }
    case 'call': {
      if (node.name === 'if') {
        const [cond, yes, no] = node.args;
        return truthy(evaluate(cond, ctx)) ? evaluate(yes, ctx) : no === undefined ? undefined : evaluate(no, ctx);
      }
      return FUNCTIONS[node.name].fn(...node.args.map((arg) => evaluate(arg, ctx)));
    }
    default:
      throw new ImlError(`node ${node.k}`);
  }
}

function looseEqual(a, b) {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return false;
  return String(a) === String(b);
}

function truthy(value) {
  return !(value === false || value === 0 || isEmpty(value));
}

function text(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const WHOLE = /^\{\{([\s\S]*)\}\}$/;
const PART = /\{\{([\s\S]*?)\}\}/g;

function renderString(str, ctx) {
  const whole = WHOLE.exec(str);
  if (whole && !whole[1].includes('}}') && !whole[1].includes('{{')) return evaluate(parse(whole[1]), ctx);
  return str.replace(PART, (_, expr) => text(evaluate(parse(expr), ctx)));
}

/** Renders any IMLJSON value (string, array, object) against a context of IML variables. */
function render(value, ctx) {
  if (typeof value === 'string') return renderString(value, ctx);
  if (Array.isArray(value)) return value.map((v) => render(v, ctx));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      if (key.includes('{{')) throw new ImlError(`IML in keys ("${key}") is not supported by this approximation`);
      const rendered = render(v, ctx);
      if (rendered !== undefined) out[key] = rendered;
    }
    return out;
  }
  return value;
}

/** Every `{{...}}` expression in an IMLJSON value (for static reference checks). */
function expressions(value, out = []) {
  if (typeof value === 'string') {
    for (const m of value.matchAll(PART)) out.push(m[1]);
  } else if (Array.isArray(value)) {
    value.forEach((v) => expressions(v, out));
  } else if (value && typeof value === 'object') {
    Object.entries(value).forEach(([k, v]) => {
      expressions(k, out);
      expressions(v, out);
    });
  }
  return out;
}

/** Variable paths an expression reads, e.g. `parameters.constraints.max_cost_usd`. */
function variablePaths(expr) {
  const paths = [];
  const walk = (node) => {
    if (!node) return;
    if (node.k === 'get' || node.k === 'var') {
      const parts = [];
      let cur = node;
      while (cur.k === 'get' && cur.key.k === 'lit') {
        parts.unshift(String(cur.key.v));
        cur = cur.obj;
      }
      if (cur.k === 'var') {
        paths.push([cur.name, ...parts].join('.'));
        return;
      }
      walk(cur);
      if (node.k === 'get') walk(node.key);
      return;
    }
    if (node.k === 'bin') {
      walk(node.left);
      walk(node.right);
    }
    if (node.k === 'call') node.args.forEach(walk);
  };
  walk(parse(expr));
  return paths;
}

module.exports = { render, parse, expressions, variablePaths, ImlError, truthy };
