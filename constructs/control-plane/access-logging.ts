/** Encoding of proxy access log lines, as in Istio's `MeshConfig.AccessLogEncoding`. */
export enum AccessLogEncoding {
  TEXT = 'TEXT',
  JSON = 'JSON',
}

/** Options shared by the access-log destinations. */
export interface AccessLogOptions {
  /**
   * Envoy access-log format string (`%START_TIME% %REQ(:METHOD)% ...`).
   * @default - the proxy's default format
   */
  readonly format?: string;
  /** Line encoding. @default AccessLogEncoding.TEXT */
  readonly encoding?: AccessLogEncoding;
}

/** The access-log fields of Istio's MeshConfig this setting renders to. */
export interface AccessLogMeshConfig {
  readonly accessLogFile: string;
  readonly accessLogFormat?: string;
  readonly accessLogEncoding?: AccessLogEncoding;
}

/**
 * Where the mesh's proxies write access logs (Istio's `accessLogFile`,
 * `accessLogFormat` and `accessLogEncoding`).
 *
 * @example AccessLogging.stdout({ encoding: AccessLogEncoding.JSON })
 */
export abstract class AccessLogging {
  /** Access logs on the proxy's standard output (`/dev/stdout`), Istio's demo-profile setting. */
  public static stdout(options: AccessLogOptions = {}): AccessLogging {
    return new FileAccessLogging('/dev/stdout', options);
  }

  /** Access logs appended to a file inside the proxy container. */
  public static file(path: string, options: AccessLogOptions = {}): AccessLogging {
    if (!path.startsWith('/')) {
      throw new Error(`AccessLogging.file: path must be an absolute path (got '${path}')`);
    }
    return new FileAccessLogging(path, options);
  }

  /** No access logs (Istio's default: an empty `accessLogFile`). */
  public static off(): AccessLogging {
    return new FileAccessLogging('', {});
  }

  /** @internal */
  public abstract _render(): AccessLogMeshConfig;
}

class FileAccessLogging extends AccessLogging {
  constructor(private readonly path: string, private readonly options: AccessLogOptions) {
    super();
  }

  public _render(): AccessLogMeshConfig {
    if (this.path === '') return { accessLogFile: '' };
    return {
      accessLogFile: this.path,
      accessLogFormat: this.options.format,
      accessLogEncoding: this.options.encoding ?? AccessLogEncoding.TEXT,
    };
  }
}
