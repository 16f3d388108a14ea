'use strict';
// Checks parameter values against a component's parameter definitions the way Make's module form
// does before it runs anything: required fields, select options, number ranges, patterns, nested
// collections and arrays. An approximation of Make's form validation, for the types the app uses.

function checkValue(def, value, path, problems) {
  if (value === undefined || value === null || value === '') {
    if (def.required) problems.push(`${path} is required`);
    return;
  }
  const v = def.validate && typeof def.validate === 'object' ? def.validate : {};
  switch (def.type) {
    case 'text':
    case 'password':
    case 'url':
      if (typeof value !== 'string') problems.push(`${path} must be text`);
      else if (v.pattern && !new RegExp(v.pattern).test(value)) problems.push(`${path} does not match ${v.pattern}`);
      break;
    case 'number':
    case 'integer':
    case 'uinteger':
      if (typeof value !== 'number' || Number.isNaN(value)) problems.push(`${path} must be a number`);
      else {
        if (def.type !== 'number' && !Number.isInteger(value)) problems.push(`${path} must be a whole number`);
        if (def.type === 'uinteger' && value < 0) problems.push(`${path} must not be negative`);
        if (v.min !== undefined && value < v.min) problems.push(`${path} must be at least ${v.min}`);
        if (v.max !== undefined && value > v.max) problems.push(`${path} must be at most ${v.max}`);
      }
      break;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path} must be true or false`);
      break;
    case 'select': {
      const values = def.multiple ? value : [value];
      if (def.multiple && !Array.isArray(value)) problems.push(`${path} must be a list`);
      else if (Array.isArray(def.options)) {
        const allowed = def.options.map((o) => o.value);
        for (const one of values) if (!allowed.includes(one)) problems.push(`${path}: ${JSON.stringify(one)} is not an option`);
      }
      break;
    }
    case 'collection':
      if (typeof value !== 'object' || Array.isArray(value)) problems.push(`${path} must be a collection`);
      else checkAll(def.spec || [], value, `${path}.`, problems);
      break;
    case 'array':
      if (!Array.isArray(value)) problems.push(`${path} must be a list`);
      else if (Array.isArray(def.spec)) value.forEach((item, i) => checkAll(def.spec, item, `${path}[${i}].`, problems));
      break;
    case 'any':
      break;
    default:
      problems.push(`${path}: parameter type ${def.type} is not supported by this approximation`);
  }
}

function checkAll(defs, values, prefix, problems) {
  const known = new Set(defs.map((d) => d.name));
  for (const key of Object.keys(values || {})) if (!known.has(key)) problems.push(`${prefix}${key} is not a parameter`);
  for (const def of defs) checkValue(def, (values || {})[def.name], `${prefix}${def.name}`, problems);
}

/** Fills defaults the way Make's form does, then validates. Returns {values, problems}. */
function fillForm(defs, values) {
  const filled = { ...values };
  for (const def of defs) if (filled[def.name] === undefined && def.default !== undefined) filled[def.name] = def.default;
  const problems = [];
  checkAll(defs, filled, '', problems);
  return { values: filled, problems };
}

module.exports = { fillForm };
