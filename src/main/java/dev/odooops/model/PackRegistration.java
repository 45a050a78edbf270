package dev.odooops.model;

import java.util.Collection;
import java.util.List;

/**
 * What a packed artifact adds to its registration: the packs it wrote, their objects, the packs it refers to, and the
 * generation its new packs are encrypted to (null: plain text; see V21).
 */
public record PackRegistration(String project, List<NewPack> packs, List<StoredObject> objects,
                               Collection<String> referenced, String generation) {
    /** A registration of plain-text packs. */
    public PackRegistration(String project, List<NewPack> packs, List<StoredObject> objects, Collection<String> referenced) {
        this(project, packs, objects, referenced, null);
    }
}
