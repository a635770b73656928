/**
 * The classifier, off the page's main thread: TensorFlow.js with nsfwjs's MobileNetV2 (224×224,
 * bundled with the client: no CDN). Backends in order of speed without a GPU: WebAssembly (SIMD;
 * threads only where the page is cross-origin isolated, which ours is not), then plain JavaScript.
 * WebGL is left out on purpose: without a GPU it falls back to a software renderer slower than
 * WebAssembly, and with one the small model gains little over SIMD at a few frames a second.
 */

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { NSFWJS } from 'nsfwjs/core';
import { MobileNetV2Model } from 'nsfwjs/models/mobilenet_v2';
import { decodeBase64 } from './base64.ts';
import { FRAME_SIZE, type FromWorker, type ToWorker } from './messages.ts';
import * as tf from './tf.ts';

const BACKENDS = ['wasm', 'cpu'];

let model: Promise<NSFWJS> | null = null;

const post = (m: FromWorker) => self.postMessage(m);

async function pickBackend(): Promise<string> {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': plainWasm,
    'tfjs-backend-wasm-simd.wasm': simdWasm,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedWasm,
  });
  for (const name of BACKENDS) {
    // setBackend resolves false (or throws) when the backend cannot start here.
    if (await tf.setBackend(name).catch(() => false)) return name;
  }
  throw new Error('no TensorFlow.js backend could start');
}

/**
 * The model from nsfwjs's own bundled files (its topology, and its weights as base64 modules),
 * decoded natively: nsfwjs's `load` decodes them through a Buffer polyfill, about 400 ms slower here.
 */
async function loadModel(): Promise<NSFWJS> {
  const [{ default: json }, ...bundles] = await Promise.all([
    MobileNetV2Model.modelJson(),
    ...MobileNetV2Model.weightBundles.map((bundle) => bundle()),
  ]);
  const parts = bundles.map((b) => decodeBase64(b.default));
  const weightData = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    weightData.set(p, offset);
    offset += p.length;
  }
  const handler = tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: (json.weightsManifest ?? []).flatMap((group) => group.weights),
    weightData: weightData.buffer,
  });
  const net = new NSFWJS(handler, { size: FRAME_SIZE });
  await net.load(); // builds the model and runs it once, so the first real frame is not the slow one
  return net;
}

async function start(): Promise<NSFWJS> {
  const t0 = performance.now();
  const backend = await pickBackend();
  const net = await loadModel();
  post({ type: 'ready', backend, loadMs: Math.round(performance.now() - t0) });
  return net;
}

async function classify(id: number, image: ImageData): Promise<void> {
  const net = await (model as Promise<NSFWJS>);
  const t0 = performance.now();
  const predictions = await net.classify(image, 5);
  const scores: Record<string, number> = {};
  for (const p of predictions) scores[p.className] = p.probability;
  post({ type: 'scored', id, scores, ms: performance.now() - t0 });
}

self.addEventListener('message', (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === 'load') {
    model ??= start();
    model.catch((error: Error) => post({ type: 'failed', error: error.message ?? String(error) }));
    return;
  }
  if (!model) {
    post({ type: 'error', id: m.id, error: 'the model was not loaded' });
    return;
  }
  classify(m.id, m.image).catch((error: Error) => post({ type: 'error', id: m.id, error: error.message }));
});
