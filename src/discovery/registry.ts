/** What a server tells a registry about itself, and the registry's shape (Kitex's `registry.Registry`). */
export interface RegistryInfo {
  /** The name clients resolve (Kitex's destination service). */
  serviceName: string;
  /** The address clients should call, `host:port`. */
  address: string;
  /** Default 10. */
  weight?: number;
  tags?: Record<string, string>;
}

/** Makes a server findable: registered when it starts, deregistered when it stops. */
export interface Registry {
  register(info: RegistryInfo): Promise<void>;
  deregister(info: RegistryInfo): Promise<void>;
  /** Releases the registry's connections (after deregistering whatever is still registered). */
  close?(): Promise<void>;
}
