// Jest clears its resolution caches after every test file, so each file resolved the whole
// module graph of the app again (jest-resolve was about a tenth of a file's CPU time). This
// resolver keeps each answer for the worker's later files. A kept path is checked to still
// exist (one stat, instead of a resolution's many), for watch mode's long-lived workers.
const { existsSync } = require('node:fs');

const cache = new Map();

module.exports = (request, options) => {
  const key = `${options.basedir}\0${request}\0${(options.conditions ?? []).join(',')}`;
  let resolved = cache.get(key);
  if (resolved === undefined || !existsSync(resolved)) {
    resolved = options.defaultResolver(request, options);
    cache.set(key, resolved);
  }
  return resolved;
};
