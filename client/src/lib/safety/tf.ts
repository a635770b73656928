/**
 * The part of TensorFlow.js that nsfwjs uses, standing in for `@tensorflow/tfjs` (vite.config.ts
 * aliases it here): the core with its chained ops, layers models, graph models and the plain
 * JavaScript backend. The full package also bundles WebGL and tf.data, which the classifier never
 * uses: leaving them out makes the worker about 575 kB smaller.
 */
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';

export { loadGraphModel } from '@tensorflow/tfjs-converter';
export * from '@tensorflow/tfjs-core';
export { loadLayersModel, model } from '@tensorflow/tfjs-layers';
