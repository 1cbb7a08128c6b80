package dev.gantry.registry.registries;

/** As in the Registry CRD: a stage, a pull-through cache, or a view over several registries. */
public enum RegistryType {
    Local, Remote, Virtual
}
