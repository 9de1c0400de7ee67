/** Shapes of the model that a policy or cache is created for. Values only. */
package org.recycledattention.api.model;
