export declare const SOURCE_ROOTS: string[];
export declare function sourceFiles(root: string): string[];
export declare function importGraph(root: string): Map<string, string[]>;
export declare function cycles(graph: Map<string, string[]>): string[][];
