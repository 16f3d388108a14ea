'use strict';
// Static checks of a Make app in the local-development format. Each returns a list of problems
// (strings naming the file); an empty list means the check passed. The tests run them on the real
// app and on deliberately corrupted copies, which must produce problems.
const { schemaProblems, layoutProblems } = require('./checks/layout');
const { referenceProblems, declaredPaths } = require('./checks/references');
const { compareToInterface, interfaceProblems, helpProblems } = require('./checks/interface');

function allProblems(app) {
  return [
    ...schemaProblems(app),
    ...layoutProblems(app),
    ...referenceProblems(app),
    ...interfaceProblems(app),
    ...helpProblems(app),
  ];
}

module.exports = {
  schemaProblems,
  layoutProblems,
  referenceProblems,
  interfaceProblems,
  helpProblems,
  compareToInterface,
  declaredPaths,
  allProblems,
};

