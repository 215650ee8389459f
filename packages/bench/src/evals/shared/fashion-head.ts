import { disposeWeights, train } from '@graft/core';
import { FASHION_MNIST_LABELS } from '@graft/datasets';
import { tf } from '@graft/runtime';
import { accuracyOf } from './accuracy.js';

/**
 * The feature-extraction head of the Fashion-MNIST evaluations (256 ReLU, dropout 0.3, Adam 1e-3, batch 128, ≤ 40
 * epochs, early stopping on 10 % of the training rows), trained on `features` and scored on `testFeatures`. Frees
 * both tensors and the head.
 *
 * @example
 * ```ts
 * const { accuracy } = await trainFashionHead(trainX, testX, trainLabels, testLabels, 1, console.log);
 * ```
 */
export async function trainFashionHead(
  features: tf.Tensor2D,
  testFeatures: tf.Tensor2D,
  labels: number[],
  testLabels: number[],
  seed: number,
  log: (m: string) => void = () => {},
): Promise<{ accuracy: number; seconds: number }> {
  try {
    const result = await train(
      { strategy: 'feature-extraction', features, labels, classNames: [...FASHION_MNIST_LABELS] },
      {
        epochs: 40,
        batchSize: 128,
        learningRate: 1e-3,
        seed,
        head: { hidden: 256, dropout: 0.3 },
        validation: 0.1,
        earlyStopping: { patience: 4 },
      },
      (e) =>
        e.type === 'epoch' &&
        log(`    epoch ${e.epoch + 1}/${e.epochs} loss ${e.loss.toFixed(4)} val acc ${e.valAcc?.toFixed(4)}`),
    );
    const accuracy = accuracyOf(result.model, testFeatures, testLabels);
    disposeWeights([result.model, result.head]);
    return { accuracy, seconds: result.seconds };
  } finally {
    tf.dispose([features, testFeatures]);
  }
}
