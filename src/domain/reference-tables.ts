/**
 * The fixed tables the reference data is generated from: markets (country, time zone, currency,
 * tax), product categories with their price levels, and the words names are made of. Changing a
 * value here changes the generated stores and products, so the seed's version would change too.
 */

export interface Market {
  readonly country: string
  readonly timeZone: string
  readonly currency: string
  readonly taxRateBp: number
  /** Relative share of the chain's stores. */
  readonly share: number
  readonly cities: readonly string[]
}

const market = (
  country: string,
  timeZone: string,
  currency: string,
  taxRateBp: number,
  share: number,
  cities: string,
): Market => ({ country, timeZone, currency, taxRateBp, share, cities: cities.split(',') })

export const MARKETS: readonly Market[] = [
  market('DE', 'Europe/Berlin', 'EUR', 1900, 30, 'Berlin,Hamburg,Munich,Cologne,Frankfurt,Leipzig'),
  market('FR', 'Europe/Paris', 'EUR', 2000, 22, 'Paris,Lyon,Marseille,Toulouse,Lille,Nantes'),
  market('ES', 'Europe/Madrid', 'EUR', 2100, 12, 'Madrid,Barcelona,Valencia,Seville'),
  market('GB', 'Europe/London', 'GBP', 2000, 22, 'London,Manchester,Birmingham,Leeds,Glasgow'),
  market('US', 'America/New_York', 'USD', 800, 24, 'New York,Boston,Philadelphia,Atlanta,Miami'),
  market('US', 'America/Chicago', 'USD', 900, 14, 'Chicago,Dallas,Houston,Minneapolis'),
  market('US', 'America/Los_Angeles', 'USD', 950, 14, 'Los Angeles,San Francisco,Seattle,San Diego'),
  market('IN', 'Asia/Kolkata', 'INR', 1800, 20, 'Mumbai,Delhi,Bengaluru,Chennai,Kolkata'),
  market('JP', 'Asia/Tokyo', 'JPY', 1000, 14, 'Tokyo,Osaka,Yokohama,Nagoya'),
  market('AU', 'Australia/Sydney', 'AUD', 1000, 8, 'Sydney,Canberra,Newcastle'),
]

/** Digits after the decimal point of each currency the chain uses (ISO 4217 minor units). */
export const CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  EUR: 2,
  GBP: 2,
  USD: 2,
  INR: 2,
  JPY: 0,
  AUD: 2,
}

/** Fixed conversion from EUR used to derive local shelf prices from the list price. */
export const EUR_RATE: Readonly<Record<string, number>> = {
  EUR: 1,
  GBP: 0.86,
  USD: 1.08,
  INR: 90,
  JPY: 162,
  AUD: 1.65,
}

export interface Category {
  readonly name: string
  /** Median list price in euro cents and the spread of the log-normal around it. */
  readonly medianMinor: number
  readonly sigma: number
  /** Share of the catalogue. */
  readonly share: number
  readonly nouns: readonly string[]
}

const category = (
  name: string,
  medianMinor: number,
  sigma: number,
  share: number,
  nouns: string,
): Category => ({
  name,
  medianMinor,
  sigma,
  share,
  nouns: nouns.split(','),
})

export const CATEGORIES: readonly Category[] = [
  category('grocery', 249, 0.5, 14, 'Pasta,Rice,Olive Oil,Cereal,Flour,Tomato Sauce,Coffee,Tea,Honey,Jam'),
  category('produce', 199, 0.45, 8, 'Apples,Bananas,Tomatoes,Avocados,Carrots,Lettuce,Grapes,Onions'),
  category('dairy', 179, 0.45, 8, 'Milk,Yogurt,Butter,Cheddar,Mozzarella,Cream,Eggs'),
  category('bakery', 219, 0.4, 5, 'Sourdough,Baguette,Croissants,Bagels,Muffins,Rye Bread'),
  category('beverages', 189, 0.55, 9, 'Sparkling Water,Orange Juice,Cola,Iced Tea,Lemonade,Energy Drink'),
  category('snacks', 199, 0.45, 7, 'Crisps,Chocolate Bar,Pretzels,Cookies,Nuts,Popcorn'),
  category('frozen', 399, 0.45, 5, 'Pizza,Ice Cream,Peas,Fish Fingers,Berries,Dumplings'),
  category('household', 449, 0.55, 7, 'Detergent,Dish Soap,Paper Towels,Sponges,Bin Bags,Cleaner'),
  category('personal-care', 499, 0.55, 7, 'Shampoo,Toothpaste,Deodorant,Body Wash,Razor,Hand Cream'),
  category('health', 699, 0.6, 4, 'Vitamins,Plasters,Pain Relief,Sunscreen,Cough Drops'),
  category('baby', 899, 0.6, 3, 'Nappies,Baby Wipes,Formula,Baby Food'),
  category('pet', 699, 0.6, 3, 'Dog Food,Cat Food,Cat Litter,Pet Treats'),
  category('home', 1999, 0.8, 5, 'Mug,Towel,Candle,Storage Box,Pillow,Frying Pan'),
  category('apparel', 2499, 0.7, 5, 'T-Shirt,Socks,Jeans,Hoodie,Cap,Scarf'),
  category('toys', 1999, 0.8, 3, 'Puzzle,Building Set,Plush Bear,Board Game,Toy Car'),
  category('electronics', 3999, 1.0, 3, 'Headphones,USB Cable,Charger,Speaker,Power Bank,Batteries'),
  category('garden', 1499, 0.8, 2, 'Plant Pot,Seeds,Garden Gloves,Hose,Compost'),
  category('stationery', 299, 0.6, 2, 'Notebook,Pens,Stapler,Envelopes,Markers'),
]

export const BRANDS: readonly string[] =
  'Nordvik,Casa Bella,Greenfield,Urban Basics,Sunny Day,Alpine,Harbor,Maison,Everyday,Orchard,Bluebird,Kiyomi'.split(
    ',',
  )

/** Empty entries make most names plain. */
export const SIZES: readonly string[] = ',,,Small,Large,Family Pack,2-Pack,6-Pack,Organic,Classic'.split(',')

export const STORE_KINDS: readonly string[] =
  'Central,Mall,Station,Market,Park,Harbour,Old Town,North,South,East,West'.split(',')
