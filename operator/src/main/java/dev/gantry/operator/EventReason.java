package dev.gantry.operator;

/** Every reason the operator records a Kubernetes Event for, with its Event type. */
public enum EventReason {
    RegistrySynced(false),
    RegistryRefused(true),
    RegistryDeleted(false),
    RegistryDeletionBlocked(true),
    RegistryUnreachable(true),
    Promoted(false),
    PromotionFailed(true),
    PromotionRetrying(true),
    InvalidSpec(true),
    CredentialsIssued(false),
    CredentialsRotated(false),
    CredentialsRevoked(false),
    NamespaceConflict(true),
    PullSecretBlocked(true),
    WebhookCertificateIssued(false),
    WebhookCertificateRotated(false),
    WebhookCertificateReplaced(true),
    WebhookCaBundleUpdated(false);

    private final boolean warning;

    EventReason(boolean warning) {
        this.warning = warning;
    }

    /** {@code Normal} or {@code Warning}, as Events spell it. */
    public String type() {
        return warning ? "Warning" : "Normal";
    }
}
