// An echarts chart in a card: drawn on a canvas, resized with its box, disposed with the component.
// The chart's figures are also said in words (aria-label) for screen readers and tests.

import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** The palette the reports share: calm, distinct, printable. */
export const PALETTE = ['#2f5d8a', '#3f9c8f', '#d08a2e', '#b5485a', '#7b68a6', '#6b8e23', '#8c7b70'];

export function Chart({ option, height, label }: { option: echarts.EChartsCoreOption; height: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!box.current) return;
    const c = echarts.init(box.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(box.current);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ color: PALETTE, animation: false, textStyle: { fontFamily: 'inherit' }, ...option }, true);
  }, [option]);
  return <div ref={box} className="chart" style={{ height }} role="img" aria-label={label} />;
}
