export declare function buildDesktop(opts?: { renderer?: boolean }): Promise<void>;
