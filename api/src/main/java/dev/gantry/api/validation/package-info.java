/**
 * Plain-Java validators for the gantry.dev resources. They state the same rules as the CRDs' schema and CEL
 * ({@code x-kubernetes-validations}), so the webhook can enforce them where CEL is unavailable and the operator can
 * refuse bad specs with the same words; {@code CrdRuleParityTest} holds the two to one table of cases.
 */
package dev.gantry.api.validation;
