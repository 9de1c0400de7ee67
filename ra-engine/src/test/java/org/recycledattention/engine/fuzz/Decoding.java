package org.recycledattention.engine.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.recycledattention.api.cache.KvCacheBackend;
import org.recycledattention.api.cache.KvCacheBackendProvider;
import org.recycledattention.api.config.ProviderConfig;
import org.recycledattention.api.policy.AttentionPolicyProvider;
import org.recycledattention.api.policy.PolicyConfig;
import org.recycledattention.engine.decode.PolicyFactory;
import org.recycledattention.engine.decode.Session;
import org.recycledattention.model.NumericalException;
import org.recycledattention.model.llama.LlamaModel;
import org.recycledattention.model.tokenizer.Tokenizer;
import org.recycledattention.engine.decode.Sampler;

/**
 * The fuzz contract past loading: a model a parser accepted must decode. With every built-in policy
 * on the {@code cpu} backend, one prefill of three tokens and one decode step, and the predicted
 * tokens decoded by the model's tokenizer. A header whose products overflow, or whose tokenizer does
 * not cover the embedding, fails here if it slipped through loading. Only a {@link
 * NumericalException} is allowed (random weights may overflow: that is the model's, reported in one
 * line).
 */
final class Decoding {
  static final List<String> POLICIES = List.of("full", "local", "h2o", "snapkv", "recycled");
  /** Budget of the non-full policies: more than local's 4 sink tokens. */
  private static final int BUDGET = 8;

  /** The cpu backend (one thread) and the policies, made once per fuzzing JVM: they hold no sequence state. */
  private static final class Runtime {
    static final KvCacheBackend CPU = cpu();
    static final List<PolicyFactory> POLICY_FACTORIES = policies();

    private static KvCacheBackend cpu() {
      for (KvCacheBackendProvider p : ServiceLoader.load(KvCacheBackendProvider.class)) {
        if (p.name().equals("cpu")) {
          return p.create(ProviderConfig.resolve("ra.backend.cpu.", p.properties(), Map.of("threads", "1")));
        }
      }
      throw new IllegalStateException("the cpu backend (ra-backend-cpu) is not on the test class path");
    }

    private static List<PolicyFactory> policies() {
      List<PolicyFactory> out = new ArrayList<>();
      for (String name : POLICIES) {
        AttentionPolicyProvider provider = ServiceLoader.load(AttentionPolicyProvider.class).stream().map(ServiceLoader.Provider::get)
            .filter(p -> p.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalStateException("policy " + name + " (ra-policies) is not on the test class path"));
        out.add(new PolicyFactory(provider, new PolicyConfig(BUDGET, ProviderConfig.defaults("ra.policy." + name + ".", provider.properties()))));
      }
      return List.copyOf(out);
    }
  }

  private Decoding() {}

  /** Prefills three tokens and decodes one with each built-in policy; decodes both predictions with the tokenizer. */
  static void decodeWithEveryPolicy(LlamaModel model) {
    int vocab = model.config().vocabSize();
    int[] prompt = {1 % vocab, 2 % vocab, 0};
    Tokenizer tokenizer = model.tokenizer().orElse(null);
    for (PolicyFactory policy : Runtime.POLICY_FACTORIES) {
      try (Session s = new Session(model, Runtime.CPU, policy, 1, 8)) {
        int first = Sampler.argmax(s.prefill(prompt));
        int second = Sampler.argmax(s.step(first));
        if (tokenizer != null) {
          tokenizer.decode(new int[] {first, second});
          Tokenizer.StreamingDecoder d = tokenizer.newDecoder();
          d.next(first);
          d.next(second);
          d.finish();
        }
      } catch (NumericalException overflow) {
        return; // the weights' own numbers: every policy would see the same
      }
    }
  }
}
