package org.recycledattention.eval.report;

import java.util.ArrayList;
import java.util.List;

/** A small Markdown / plain-text table builder. Not thread-safe. */
public final class MarkdownTable {
  private final List<String> header;
  private final List<Boolean> rightAligned;
  private final List<List<String>> rows = new ArrayList<>();

  /** Columns whose name starts with '>' are right-aligned (the '>' is dropped). */
  public MarkdownTable(String... columns) {
    header = new ArrayList<>();
    rightAligned = new ArrayList<>();
    for (String c : columns) {
      boolean right = c.startsWith(">");
      header.add(right ? c.substring(1) : c);
      rightAligned.add(right);
    }
  }

  public MarkdownTable row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
    }
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(String.valueOf(c));
    }
    rows.add(r);
    return this;
  }

  /** GitHub-flavoured Markdown, columns padded for reading as plain text too. */
  public String toMarkdown() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = Math.max(3, header.get(i).length());
      for (List<String> r : rows) {
        w[i] = Math.max(w[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, w);
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      sb.append(' ').append(rightAligned.get(i) ? "-".repeat(w[i] - 1) + ":" : "-".repeat(w[i])).append(" |");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, w);
    }
    return sb.toString();
  }

  private void line(StringBuilder sb, List<String> cells, int[] w) {
    sb.append('|');
    for (int i = 0; i < w.length; i++) {
      String c = cells.get(i);
      String pad = " ".repeat(w[i] - c.length());
      sb.append(' ').append(rightAligned.get(i) ? pad + c : c + pad).append(" |");
    }
    sb.append('\n');
  }
}
