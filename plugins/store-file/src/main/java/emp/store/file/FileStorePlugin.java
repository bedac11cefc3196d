package emp.store.file;

/** The PF4J plugin of the embedded file store; all it brings is {@link FileStateStoreFactory}. */
public final class FileStorePlugin extends org.pf4j.Plugin {}
