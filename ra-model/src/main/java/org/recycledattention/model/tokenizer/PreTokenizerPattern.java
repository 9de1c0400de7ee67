package org.recycledattention.model.tokenizer;

import java.util.regex.Pattern;

/**
 * The word-splitting regular expressions of Hugging Face byte-level BPE vocabularies ({@code tokenizer.json}),
 * written for {@link java.util.regex} with {@link Pattern#UNICODE_CHARACTER_CLASS} (so {@code \s} is Unicode
 * white space, as in the Python/Rust originals). GGUF files name llama.cpp's pre-tokenizers instead:
 * {@link LlamaPreTokenizer}.
 */
public enum PreTokenizerPattern {
  /** Llama 3: contractions, letters with one leading non-letter, digits in runs of up to 3. */
  LLAMA3("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  /** Qwen2: as Llama 3 but every digit is its own word. */
  QWEN2("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
  /** GPT-2. */
  GPT2("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

  private final String regex;
  private final Pattern pattern;

  PreTokenizerPattern(String regex) {
    this.regex = regex;
    this.pattern = compile(regex);
  }

  /** Compiles a pre-tokenizer regex with the flags this package uses. */
  public static Pattern compile(String regex) {
    return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
  }

  public String regex() {
    return regex;
  }

  public Pattern pattern() {
    return pattern;
  }
}
