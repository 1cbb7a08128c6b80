package dev.gantry.api.reference;

import java.util.Optional;
import java.util.regex.Pattern;

/** The registry-domain grammar: {@code host[:port]} where host is a DNS-like name or a bracketed IPv6 address. */
final class Domains {

    // Distribution's domain-component. A single unnested star: a failed match backtracks at most linearly.
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("\\[[a-fA-F0-9:]++]");
    private static final int MAX_PORT = 65_535;

    private Domains() {
    }

    /** Whether the first component of a reference names a registry rather than a Docker Hub namespace. */
    static boolean looksLikeDomain(String firstComponent) {
        return firstComponent.equals("localhost")
                || firstComponent.indexOf('.') >= 0
                || firstComponent.indexOf(':') >= 0
                || hasAsciiUppercase(firstComponent);
    }

    static boolean hasAsciiUppercase(String s) {
        return s.chars().anyMatch(c -> c >= 'A' && c <= 'Z');
    }

    /** Returns what is wrong with {@code domain} as a sentence fragment, or {@code null} when it is valid. */
    static String problem(String domain) {
        if (domain.isEmpty()) {
            return "registry domain must not be empty";
        }
        int portColon = portColon(domain);
        String host = portColon < 0 ? domain : domain.substring(0, portColon);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                return "registry IPv6 address must be closed with ']'";
            }
            if (close != host.length() - 1) {
                return "registry domain may only have a ':port' after the IPv6 address";
            }
            if (!IPV6.matcher(host).matches()) {
                return "registry IPv6 address " + InvalidReferenceException.quote(host)
                        + " may only contain hex digits and ':' between the brackets";
            }
        } else {
            if (portColon >= 0 && domain.indexOf(':', portColon + 1) >= 0) {
                return "registry IPv6 addresses must be enclosed in brackets, e.g. [::1]:5000";
            }
            if (host.isEmpty()) {
                return "registry host is missing before ':'";
            }
            for (String label : host.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    return "registry host " + InvalidReferenceException.quote(host)
                            + " is invalid: use letters, digits and inner '-', in labels separated by single dots";
                }
            }
        }
        return portColon < 0 ? null : portProblem(domain.substring(portColon + 1));
    }

    private static String portProblem(String port) {
        if (port.isEmpty()) {
            return "registry port is missing after ':'";
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return "registry port must be digits, got " + InvalidReferenceException.quote(port);
        }
        // Distribution accepts any digit string; we bound it so port() can be an int that a socket accepts.
        if (port.length() > 5 || Integer.parseInt(port) > MAX_PORT) {
            return "registry port must be at most " + MAX_PORT + ", got " + port;
        }
        return null;
    }

    /** Index of the colon that starts the port, or -1; the colons inside an IPv6 address are skipped. */
    private static int portColon(String domain) {
        int from = domain.startsWith("[") ? Math.max(domain.indexOf(']'), 0) : 0;
        return domain.indexOf(':', from);
    }

    /** The domain without its port; a valid domain is assumed. */
    static String host(String domain) {
        int colon = portColon(domain);
        return colon < 0 ? domain : domain.substring(0, colon);
    }

    /** The port, if the valid {@code domain} has one. */
    static Optional<Integer> port(String domain) {
        int colon = portColon(domain);
        return colon < 0 ? Optional.empty() : Optional.of(Integer.parseInt(domain.substring(colon + 1)));
    }
}
