/** bin/layers.cjs: capability folder -> the folders it may import. */
declare const layers: Record<string, string[]>;
export = layers;
