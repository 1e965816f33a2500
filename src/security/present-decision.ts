import type { DecisionView } from '../decisions/index.js';
import { isSubjectErasedError } from './privacy/crypto-error.js';
import type { ContextProtector } from './context-protector.js';

/**
 * The `presentDecision` seam: the stored context decrypted for the (authenticated) reader.
 * An erased subject's context reads as `{ erased: true }`; a wrong or missing master key
 * is a CryptoError (422 CRYPTO_FAILED naming the key id), never garbage.
 */
export function decisionPresenter(
  protector: ContextProtector,
): (view: DecisionView) => Promise<DecisionView> {
  return async (view) => {
    if (view.decision.context === undefined) return view;
    let context: unknown;
    try {
      context = await protector.reveal(view.decision.context);
    } catch (e) {
      if (!isSubjectErasedError(e)) throw e;
      context = { erased: true };
    }
    return { ...view, decision: { ...view.decision, context } };
  };
}
