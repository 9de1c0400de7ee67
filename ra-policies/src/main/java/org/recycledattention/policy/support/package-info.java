/**
 * Small helpers shared by the built-in policies: qualified configuration key names for messages,
 * (score, tie-break) sort keys, and arrays that grow with the sequence.
 *
 * <p>Depends on ra-api only. Not part of the SPI: third-party policies should not use it.
 */
package org.recycledattention.policy.support;
