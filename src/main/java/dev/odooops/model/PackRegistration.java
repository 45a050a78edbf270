package dev.odooops.model;

import java.util.Collection;
import java.util.List;

/** What a packed artifact adds to its registration: the packs it wrote, their objects, the packs it refers to. */
public record PackRegistration(String project, List<NewPack> packs, List<StoredObject> objects,
                               Collection<String> referenced) {
}
