import { registerHooks } from 'node:module';

// Benchmarks run the app's TypeScript sources with Node's type stripping, but those sources
// import each other as `.js` (the built files' names): resolve such an import from a `.ts`
// file to the `.ts` file beside it. Loaded with `node --import` before the script.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
      try {
        return nextResolve(`${specifier.slice(0, -'.js'.length)}.ts`, context);
      } catch {
        // a real `.js` file
      }
    }
    return nextResolve(specifier, context);
  },
});
