package dev.gantry.api.validation;

import dev.gantry.api.v1alpha1.Names;
import java.util.regex.Pattern;

/** The schema patterns of {@link Names}, compiled once, with the hints shown beside them. */
final class Rules {
    static final Pattern DNS_LABEL = Pattern.compile(Names.DNS_LABEL);
    static final Pattern DNS_SUBDOMAIN = Pattern.compile(Names.DNS_SUBDOMAIN);
    static final Pattern REPOSITORY = Pattern.compile(Names.REPOSITORY);
    static final Pattern TAG = Pattern.compile(Names.TAG);
    static final Pattern DIGEST = Pattern.compile(Names.DIGEST);
    static final Pattern FRESHNESS = Pattern.compile(Names.FRESHNESS);
    static final Pattern HTTP_URL = Pattern.compile(Names.HTTP_URL);
    static final Pattern ANY = Pattern.compile("(?s).+");

    static final String DNS_LABEL_HINT = "a registry name is a DNS-1123 label: lowercase letters, digits and '-', "
            + "starting and ending with a letter or digit, e.g. qa";
    static final String DNS_SUBDOMAIN_HINT = "lowercase letters, digits, '-' and '.', e.g. gantry-pull";
    static final String REPOSITORY_HINT = "lowercase path components separated by '/', e.g. team/app";
    static final String TAG_HINT = "letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128";
    static final String DIGEST_HINT = "sha256:<64 lowercase hex> or sha512:<128 lowercase hex>";

    private Rules() {
    }
}
