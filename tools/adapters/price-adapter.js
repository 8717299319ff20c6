// A real external adapter, built with Chainlink's @chainlink/external-adapter-framework, that the
// end-to-end tests register as a bridge (crates/devnet/tests/it/bridges.rs).
//
// It answers {"id", "data": {"base", "quote"}} with the price from a CryptoCompare-style API
// (`GET <API_ENDPOINT>?fsym=<base>&tsyms=<quote>` → {"<quote>": <price>}), the shape the devnet's
// demo data source serves. Settings come from the environment, as for every framework adapter:
// EA_PORT (listen port), API_ENDPOINT (the price API URL), METRICS_ENABLED=false, LOG_LEVEL.
//
//   EA_PORT=8080 API_ENDPOINT=http://127.0.0.1:6689/data/price node tools/adapters/price-adapter.js

const { expose } = require('@chainlink/external-adapter-framework')
const { Adapter, AdapterEndpoint } = require('@chainlink/external-adapter-framework/adapter')
const { AdapterConfig } = require('@chainlink/external-adapter-framework/config')
const { HttpTransport } = require('@chainlink/external-adapter-framework/transports')
const { InputParameters } = require('@chainlink/external-adapter-framework/validation/input-params')

const config = new AdapterConfig({
  API_ENDPOINT: {
    description: 'CryptoCompare-style price API: GET ?fsym=<base>&tsyms=<quote>',
    type: 'string',
    required: true,
  },
})

const inputParameters = new InputParameters({
  base: { aliases: ['from', 'coin'], required: true, type: 'string', description: 'symbol to price' },
  quote: { aliases: ['to', 'market'], required: true, type: 'string', description: 'currency to price it in' },
})

const transport = new HttpTransport({
  prepareRequests: (params, settings) =>
    params.map((param) => ({
      params: [param],
      request: { baseURL: settings.API_ENDPOINT, params: { fsym: param.base, tsyms: param.quote } },
    })),
  parseResponse: (params, res) =>
    params.map((param) => {
      const price = res.data[param.quote.toUpperCase()]
      if (price === undefined) {
        return {
          params: param,
          response: { errorMessage: `no ${param.quote} price for ${param.base}`, statusCode: 502 },
        }
      }
      return { params: param, response: { data: { result: price }, result: price } }
    }),
})

const adapter = new Adapter({
  name: 'LINKPOOL_PRICE',
  defaultEndpoint: 'price',
  endpoints: [new AdapterEndpoint({ name: 'price', aliases: ['crypto'], transport, inputParameters })],
  config,
})

expose(adapter)
