package dev.odooops.model;

import dev.odooops.domain.RequestRejected;

/**
 * A file path a request names on the server odoo-ops runs on (an Odoo zip to import, a zip to write): absolute and
 * normalised (no empty, '.' or '..' segment, no control character), never under /proc, /sys or /dev. Every channel
 * hands over such a path; the command line makes the operator's relative path absolute first.
 */
final class ServerPath {
    private ServerPath() {
    }

    static String check(String field, String path) {
        Fields.required(field, path);
        if (!path.startsWith("/")) throw new RequestRejected(field, "must be an absolute path on the odoo-ops server, got '" + path + "'");
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < 0x20 || path.charAt(i) == 0x7f) throw new RequestRejected(field, "holds a control character");
        }
        String body = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        String[] parts = body.substring(1).split("/", -1);
        for (String part : parts) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new RequestRejected(field, "must be a normalised path (no empty, '.' or '..' segment), got '" + path + "'");
            }
        }
        if (parts.length > 0 && java.util.Set.of("proc", "sys", "dev").contains(parts[0])) {
            throw new RequestRejected(field, "must not be under /" + parts[0] + ", got '" + path + "'");
        }
        if (path.endsWith("/")) throw new RequestRejected(field, "must name a file, got the directory '" + path + "'");
        return path;
    }
}
