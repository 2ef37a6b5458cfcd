/** The package ships no types: what the tests use of it */
declare module 'parse-prometheus-text-format' {
  namespace parsePrometheusTextFormat {
    interface Sample {
      value?: string
      labels?: Record<string, string>
      buckets?: Record<string, string>
      quantiles?: Record<string, string>
      count?: string
      sum?: string
    }
    interface MetricFamily {
      name: string
      help: string
      type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED'
      metrics: Sample[]
    }
  }
  function parsePrometheusTextFormat (text: string): parsePrometheusTextFormat.MetricFamily[]
  export = parsePrometheusTextFormat
}
