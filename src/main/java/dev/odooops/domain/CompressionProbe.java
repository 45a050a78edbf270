package dev.odooops.domain;

import java.nio.charset.StandardCharsets;

/**
 * Whether a file's content is already compressed, from its first bytes (no more than {@link #PROBE_BYTES}): such
 * files go into packs zstd writes at its fastest level, where incompressible blocks are stored as they are, and
 * the rest into packs at {@code backup.zstd-level}. The formats Odoo attachments mostly are: JPEG, PNG, GIF,
 * WebP, zip containers (docx, xlsx, odt, ...), gzip, zstd, xz, bzip2, 7z, rar, MP4/MOV, MP3, Ogg, and PDFs whose
 * first streams are Flate-encoded.
 */
public final class CompressionProbe {
    public static final int PROBE_BYTES = 4096;

    private CompressionProbe() {
    }

    public static boolean alreadyCompressed(byte[] head, int length) {
        if (length < 4) return false;
        if (starts(head, length, 0xFF, 0xD8, 0xFF)) return true;                         // JPEG
        if (starts(head, length, 0x89, 'P', 'N', 'G')) return true;                      // PNG
        if (starts(head, length, 'G', 'I', 'F', '8')) return true;                       // GIF
        if (starts(head, length, 'P', 'K', 0x03, 0x04)) return true;                     // zip, docx, xlsx, odt
        if (starts(head, length, 0x1F, 0x8B)) return true;                               // gzip
        if (starts(head, length, 0x28, 0xB5, 0x2F, 0xFD)) return true;                   // zstd
        if (starts(head, length, 0xFD, '7', 'z', 'X', 'Z')) return true;                 // xz
        if (starts(head, length, 'B', 'Z', 'h')) return true;                            // bzip2
        if (starts(head, length, '7', 'z', 0xBC, 0xAF)) return true;                     // 7z
        if (starts(head, length, 'R', 'a', 'r', '!')) return true;                       // rar
        if (starts(head, length, 'O', 'g', 'g', 'S')) return true;                       // ogg
        if (starts(head, length, 'I', 'D', '3') || starts(head, length, 0xFF, 0xFB)) return true; // mp3
        if (length >= 12 && starts(head, length, 'R', 'I', 'F', 'F') && head[8] == 'W' && head[9] == 'E'
                && head[10] == 'B' && head[11] == 'P') return true;                      // WebP
        if (length >= 8 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p') return true; // mp4, mov, heic
        if (starts(head, length, '%', 'P', 'D', 'F')) {
            return new String(head, 0, length, StandardCharsets.ISO_8859_1).contains("/FlateDecode");
        }
        return false;
    }

    private static boolean starts(byte[] head, int length, int... magic) {
        if (length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((head[i] & 0xFF) != magic[i]) return false;
        return true;
    }
}
