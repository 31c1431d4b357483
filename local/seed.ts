/**
 * Products `npm start` puts in stock, so the README's curl session works on a fresh
 * cloud. They go in through the inventory admin API (`PUT /inventory/{sku}`), the same
 * way an operator would, so seeding never bypasses the service that owns the data.
 */
export interface SeedProduct {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export const DEFAULT_PRODUCTS: readonly SeedProduct[] = [
  { sku: 'SKU-1', name: 'Espresso cup', quantity: 100, unitPrice: 12.5 },
  { sku: 'SKU-2', name: 'Milk jug', quantity: 50, unitPrice: 24 },
  { sku: 'SKU-3', name: 'Coffee grinder', quantity: 3, unitPrice: 89.99 },
];

/** PUTs each product; throws with the API's answer when one is refused. */
export async function seedProducts(
  apiUrl: string,
  products: readonly SeedProduct[] = DEFAULT_PRODUCTS,
): Promise<void> {
  for (const { sku, ...body } of products) {
    const response = await fetch(`${apiUrl}/inventory/${encodeURIComponent(sku)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`Seeding ${sku} failed: ${response.status} ${await response.text()}`);
    }
  }
}
