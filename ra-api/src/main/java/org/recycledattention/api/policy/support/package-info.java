/**
 * What policy providers share, for plugin authors to extend: {@link
 * org.recycledattention.api.policy.support.AbstractPolicyProvider} states a provider's name, description,
 * keys and required capabilities once. Optional: a provider may implement the interface directly.
 */
package org.recycledattention.api.policy.support;
