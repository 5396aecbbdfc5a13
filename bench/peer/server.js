'use strict'
// The bench's Node peer: what a JavaScript team would ship for the same job. fastify,
// mercurius with graphql-jit, a mysql2 pool; the service's own SQL (compiled from
// app/sources by bench/statements.py and handed over in STATEMENTS), its session init
// (SESSION_INIT) and its JSON, byte for byte (the bench checks before it times anything).
// Each request checks the storefront key (cached for 60 s, as the service does) and the
// customer's token against the database; nothing else is cached across requests.
//
// Environment: PORT, DATABASE_URL (mysql://user:password@host:port/db?max_size=N),
// PUBLIC_BASE_URL, STATEMENTS (JSON: name -> {sql, defaults}), SESSION_INIT.

const crypto = require('node:crypto')
const Fastify = require('fastify')
const mercurius = require('mercurius')
const mysql = require('mysql2')
const { GraphQLScalarType } = require('graphql')

const CUSTOMER_MODEL = 'Webkul\\Customer\\Models\\Customer'
const KEY_CACHE_MS = 60_000
const PURCHASE_IRI = '/api/shop/customer-downloadable-products/'
const ORDER_IRI = '/api/shop/customer-orders/'
const BASE_URL = (process.env.PUBLIC_BASE_URL || 'https://shop.example.com').replace(/\/$/, '')
const STATEMENTS = JSON.parse(process.env.STATEMENTS)
// A float with no fraction: Python writes 45.0 where JavaScript writes 45. The Money scalar
// hands such a value over as a marked string, and onSend writes it as the service does.
const RAW = '\u0001'
const RAW_STRING = /"\\u0001([^"]*)"/g

const url = new URL(process.env.DATABASE_URL)
const pool = mysql.createPool({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password),
  database: url.pathname.slice(1),
  connectionLimit: Number(url.searchParams.get('max_size') || 10),
  charset: 'utf8mb4',
  dateStrings: true, // "YYYY-MM-DD hh:mm:ss", read in the session's time zone: UTC
  rowsAsArray: true,
  namedPlaceholders: true
}).promise()
pool.pool.on('connection', (connection) => connection.query(process.env.SESSION_INIT))

async function rows (name, values) {
  const { sql, defaults } = STATEMENTS[name]
  const [found] = await pool.query(sql, { ...defaults, ...values })
  return found
}

const keys = new Map() // key -> [valid until (ms), valid]

async function checkKey (headers) {
  const key = (headers['x-storefront-key'] || '').trim()
  const now = Date.now()
  let cached = keys.get(key)
  if (cached === undefined || cached[0] <= now) {
    const row = key ? (await rows('key', { key }))[0] : undefined
    let valid = row !== undefined && row[1] === key && Boolean(row[5])
    if (valid && row[4] !== null) valid = utc(row[4]) > now
    cached = [now + KEY_CACHE_MS, valid]
    keys.set(key, cached)
  }
  if (!cached[1]) throw new Error('Invalid storefront key')
}

async function customer (headers) {
  const [scheme, token = ''] = (headers.authorization || '').split(' ', 2)
  const bar = token.indexOf('|')
  const id = token.slice(0, bar)
  const secret = token.slice(bar + 1)
  if (scheme.toLowerCase() !== 'bearer' || bar < 1 || !/^\d+$/.test(id) || !secret) refuse()
  const row = (await rows('token', { model: CUSTOMER_MODEL, id: Number(id) }))[0]
  const digest = crypto.createHash('sha256').update(secret).digest('hex')
  if (row === undefined || !same(String(row[2]), digest)) refuse()
  const [customerId, suspended, , expires, isCustomer] = row
  if (!isCustomer || customerId === null || suspended) refuse()
  if (expires !== null && utc(expires) <= Date.now()) refuse()
  return customerId
}

function refuse () {
  throw new Error("The current customer isn't authorized.")
}

function same (a, b) {
  return a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

const utc = (text) => Date.parse(text.replace(' ', 'T') + 'Z')
const isoTime = (text) => (text === null ? null : text.replace(' ', 'T') + '+00:00')
const money = (text) => (text === null ? null : Number(text))
const cursor = (offset) => Buffer.from(String(offset)).toString('base64')

function remaining (row) {
  const bought = row[7] || 0
  return bought === 0 ? null : Math.max(0, bought - (row[8] || 0) - (row[9] || 0))
}

function order (row) {
  if (row[16] === null) return null
  return {
    id: ORDER_IRI + row[16],
    _id: row[16],
    incrementId: row[17],
    status: row[18],
    grandTotal: money(row[19]),
    baseGrandTotal: money(row[20]),
    subTotal: money(row[21]),
    orderCurrencyCode: row[22],
    baseCurrencyCode: row[23],
    channelName: row[24],
    customerEmail: row[25],
    customerFirstName: row[26],
    customerLastName: row[27],
    createdAt: isoTime(row[28]),
    updatedAt: isoTime(row[29])
  }
}

function node (row) {
  return {
    id: PURCHASE_IRI + row[0],
    _id: row[0],
    productName: row[1],
    name: row[2],
    url: row[3],
    file: row[4],
    fileName: row[5],
    type: row[6],
    downloadBought: row[7] || 0,
    downloadUsed: row[8] || 0,
    downloadCanceled: row[9] || 0,
    status: row[10],
    remainingDownloads: remaining(row),
    downloadUrl: `${BASE_URL}${PURCHASE_IRI}${row[0]}/download`,
    customerId: row[11],
    orderId: row[12],
    orderItemId: row[13],
    order: order(row),
    createdAt: isoTime(row[14]),
    updatedAt: isoTime(row[15])
  }
}

function magentoItem (row) {
  const left = remaining(row)
  return {
    date: row[14],
    download_url: `${BASE_URL}${PURCHASE_IRI}${row[0]}/download`,
    order_increment_id: row[17],
    remaining_downloads: left === null ? 'Unlimited' : String(left),
    status: row[10]
  }
}

const Money = new GraphQLScalarType({
  name: 'Money',
  serialize: (value) => (Number.isInteger(value) ? `${RAW}${value}.0` : value)
})

const bagistoSchema = `
  scalar Money
  type Query {
    customerDownloadableProducts(first: Int, after: String): CustomerDownloadableProductCursorConnection
    customerDownloadableProduct(id: ID!): CustomerDownloadableProduct
  }
  type CustomerDownloadableProductCursorConnection {
    edges: [CustomerDownloadableProductEdge]
    pageInfo: PageInfo!
    totalCount: Int!
  }
  type CustomerDownloadableProductEdge { cursor: String! node: CustomerDownloadableProduct }
  type PageInfo { startCursor: String endCursor: String hasNextPage: Boolean! hasPreviousPage: Boolean! }
  type CustomerDownloadableProduct {
    id: ID! _id: Int! productName: String name: String url: String file: String fileName: String
    type: String downloadBought: Int downloadUsed: Int downloadCanceled: Int status: String
    remainingDownloads: Int downloadUrl: String customerId: Int orderId: Int orderItemId: Int
    order: CustomerOrder createdAt: String updatedAt: String
  }
  type CustomerOrder {
    id: ID! _id: Int! incrementId: String status: String grandTotal: Money baseGrandTotal: Money
    subTotal: Money orderCurrencyCode: String baseCurrencyCode: String channelName: String
    customerEmail: String customerFirstName: String customerLastName: String
    createdAt: String updatedAt: String
  }`

const bagistoResolvers = {
  Money,
  Query: {
    async customerDownloadableProducts (_, { first = 10, after = null }, { reply }) {
      const headers = reply.request.headers
      await checkKey(headers)
      const customerId = await customer(headers)
      const start = after === null ? 0 : Number(Buffer.from(after, 'base64').toString()) + 1
      const [found, counted] = await Promise.all([
        rows('page', { customer_id: customerId, offset: start, limit: first + 1 }),
        rows('count', { customer_id: customerId })
      ])
      const page = found.slice(0, first)
      return {
        edges: page.map((row, i) => ({ cursor: cursor(start + i), node: node(row) })),
        pageInfo: {
          startCursor: page.length ? cursor(start) : null,
          endCursor: page.length ? cursor(start + page.length - 1) : null,
          hasNextPage: found.length > first,
          hasPreviousPage: start > 0
        },
        totalCount: Number(counted[0][0])
      }
    },
    async customerDownloadableProduct (_, { id }, { reply }) {
      const headers = reply.request.headers
      await checkKey(headers)
      const customerId = await customer(headers)
      const number = Number(id.slice(id.lastIndexOf('/') + 1))
      const found = await rows('item', { purchase_id: number, customer_id: customerId })
      return found.length ? node(found[0]) : null
    }
  }
}

const magentoSchema = `
  type Query { customerDownloadableProducts: CustomerDownloadableProducts }
  type CustomerDownloadableProducts { items: [CustomerDownloadableProduct] }
  type CustomerDownloadableProduct {
    date: String download_url: String order_increment_id: String remaining_downloads: String
    status: String
  }`

const magentoResolvers = {
  Query: {
    async customerDownloadableProducts (_, __, { reply }) {
      const headers = reply.request.headers
      await checkKey(headers)
      const customerId = await customer(headers)
      const found = await rows('everything', { customer_id: customerId, offset: 0 })
      return { items: found.map(magentoItem) }
    }
  }
}

const app = Fastify({ logger: false })
app.addHook('onSend', async (request, reply, payload) =>
  typeof payload === 'string' && payload.includes('\\u0001') ? payload.replace(RAW_STRING, '$1') : payload
)
app.register(async (scope) => {
  scope.register(mercurius, { schema: bagistoSchema, resolvers: bagistoResolvers, path: '/api/graphql', jit: 1 })
})
app.register(async (scope) => {
  scope.register(mercurius, { schema: magentoSchema, resolvers: magentoResolvers, path: '/graphql', jit: 1 })
})
app.get('/health', async () => ({ status: 'ok' }))
app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) }).catch((error) => {
  console.error(error)
  process.exit(1)
})
